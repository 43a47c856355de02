package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/limitgen/limitgen/cmd/limitgen/internal/generate"
	"github.com/limitgen/limitgen/runtime"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // problems in the packages, stale files, runtime errors
	exitUsage = 2 // bad command line
)

const usage = `usage:
  limitgen [packages]                    write limits_gen.go in each package (default ".")
  limitgen check [packages]              exit 1 if a limits_gen.go is stale or missing
  limitgen limits [flags] [packages]     print the routes and their limits as a tree
  limitgen config [packages]             print the limiter's configuration as the sources set it
  limitgen clear -key K [-storage URI] [-endpoint E | -path P] [-method M] [packages]
                                         reset client K's counters in the storage (of one route)
                                         (default storage: $RATELIMIT_STORAGE_URI)
Run "limitgen <command> -h" for a command's flags.
`

// usageError is a bad command line: printed with the usage, exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

// run is the whole command, run in the working directory: it returns the
// exit status.
func run(args []string, stdout, stderr io.Writer) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "limitgen:", err)
		return exitFail
	}
	return runIn(wd, args, stdout, stderr)
}

// runIn runs the command as if started in directory wd.
func runIn(wd string, args []string, stdout, stderr io.Writer) int {
	return runWith(wd, args, stdout, stderr, nil)
}

// runWith is runIn with setup, if not nil, adjusting the command before it
// runs (tests give -watch its ticks).
func runWith(wd string, args []string, stdout, stderr io.Writer, setup func(*command)) int {
	var err error
	cmd := "generate"
	if len(args) > 0 {
		switch args[0] {
		case "check", "limits", "clear", "config":
			cmd, args = args[0], args[1:]
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return exitOK
		default:
			if a := args[0]; !strings.ContainsAny(a, "./-") && a != "all" && a != "std" && a != "cmd" {
				// A bare word is a mistyped command far more often than a
				// standard-library package to generate in.
				fmt.Fprintf(stderr, "limitgen: unknown command %q\n%s", a, usage)
				return exitUsage
			}
		}
	}
	c := &command{wd: wd, stdout: stdout, stderr: stderr, getenv: os.Getenv, ticker: newTicker}
	if setup != nil {
		setup(c)
	}
	fs := flag.NewFlagSet("limitgen "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		if cmd == "limits" || cmd == "clear" {
			fmt.Fprintf(stderr, "\nflags of limitgen %s:\n", cmd)
			fs.PrintDefaults()
		}
	}
	if cmd == "limits" || cmd == "clear" {
		verb := map[string]string{"limits": "show", "clear": "clear"}[cmd]
		fs.StringVar(&c.filter.Endpoint, "endpoint", "", verb+" only the route with this endpoint name")
		fs.StringVar(&c.filter.Path, "path", "", verb+" only the route serving this URL path")
		fs.StringVar(&c.filter.Method, "method", "", "the request method for -path and per-method limits (default GET; clear: every method)")
	}
	if cmd == "limits" {
		fs.DurationVar(&c.watch, "watch", 0, "with -key, print the live state again every interval (e.g. 1s) until Ctrl-C")
	}
	if cmd == "limits" || cmd == "clear" {
		fs.StringVar(&c.key, "key", "", "client key whose live counters to show or clear")
		fs.StringVar(&c.storage, "storage", "", "storage URI of the running application, e.g. redis://localhost:6379 (default $RATELIMIT_STORAGE_URI)")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	c.patterns = fs.Args()
	switch cmd {
	case "generate":
		err = c.generate()
	case "check":
		err = c.check()
	case "limits":
		err = c.limits()
	case "clear":
		err = c.clear()
	case "config":
		err = c.config()
	}
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return exitUsage
	default:
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, msg)
		}
		return exitFail
	}
}

// command holds one invocation's flags and outputs.
type command struct {
	wd             string
	stdout, stderr io.Writer
	patterns       []string
	filter         runtime.TreeFilter
	key, storage   string
	getenv         func(string) string // os.Getenv
	watch          time.Duration       // limits -watch: refresh interval; 0 prints once
	// ticker and ctx drive -watch: newTicker, and nil for "until Ctrl-C";
	// tests replace them.
	ticker func(time.Duration) (<-chan time.Time, func())
	ctx    context.Context
}

// errReported is returned after diagnostics were printed already.
var errReported = errors.New("")

// load generates every package in memory and prints its problems.
func (c *command) load() ([]*generate.Result, error) {
	results, diags, err := generate.Generate(c.wd, c.patterns...)
	if err != nil {
		return nil, err
	}
	if len(diags) > 0 {
		if err := generate.WriteDiagnostics(c.stderr, c.wd, diags); err != nil {
			return nil, err
		}
		return nil, errReported
	}
	return results, nil
}

// generate writes every package's limits_gen.go; nothing when any package
// has problems.
func (c *command) generate() error {
	results, err := c.load()
	if err != nil {
		return err
	}
	for _, r := range results {
		if _, err := r.Write(); err != nil {
			return err
		}
	}
	return nil
}

// check reports every stale or missing limits_gen.go.
func (c *command) check() error {
	results, err := c.load()
	if err != nil {
		return err
	}
	stale := 0
	for _, r := range results {
		if !r.Stale() {
			continue
		}
		stale++
		name := generate.RelPath(c.wd, r.Package.OutputPath())
		switch {
		case r.Content == nil:
			fmt.Fprintf(c.stderr, "%s: not needed (the package has no annotations); run go generate to remove it\n", name)
		case r.Package.Generated == nil:
			fmt.Fprintf(c.stderr, "%s: missing; run go generate\n", name)
		default:
			fmt.Fprintf(c.stderr, "%s: out of date; run go generate\n", name)
		}
	}
	if stale > 0 {
		return errReported
	}
	return nil
}
