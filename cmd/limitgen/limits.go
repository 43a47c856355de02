package main

import (
	"fmt"

	"github.com/limitgen/limitgen/cmd/limitgen/internal/generate"
)

// limits prints the route tree, with live state when -key and -storage
// are given.
func (c *command) limits() error {
	if (c.key == "") != (c.storage == "") {
		return usageError("limitgen limits: -key and -storage go together")
	}
	results, err := c.load()
	if err != nil {
		return err
	}
	if c.key != "" {
		return c.live(results, false)
	}
	return generate.WriteTree(c.stdout, results, generate.DefaultsOf(results), c.filter)
}

// clear resets the counters of one client key.
func (c *command) clear() error {
	if c.key == "" || c.storage == "" {
		return usageError("limitgen clear: -key and -storage are required")
	}
	results, err := c.load()
	if err != nil {
		return err
	}
	return c.live(results, true)
}

// live shows or clears the counters of c.key in c.storage.
func (c *command) live(results []*generate.Result, clear bool) error {
	return fmt.Errorf("limitgen: live state needs the runtime's introspection, which is not there yet")
}
