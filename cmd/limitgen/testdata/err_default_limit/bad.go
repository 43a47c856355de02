package errdefaultlimit

import (
	"net/http"

	"github.com/limitgen/limitgen/runtime"
)

const perHour = "100 per hour; 5 per fortnight"

func NewLimiter() (*runtime.Limiter, error) {
	return runtime.New(runtime.WithDefaultLimits("2 per minute", "1 per secnd", perHour))
}

//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}
