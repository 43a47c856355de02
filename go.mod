module github.com/limitgen/limitgen

go 1.26
