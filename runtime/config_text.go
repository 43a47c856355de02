package runtime

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/limitgen/limitgen/backends"
)

// WriteConfig prints the limiter's effective configuration, one setting a
// line under its Flask-Limiter configuration key, as `flask limiter config`
// does: the options given to New with the RATELIMIT_* variables FromEnv
// read, and the defaults of the rest. Funcs show as "func"; the storage
// URI's password is redacted. Settings without a configuration key (the
// key func, clock, filters, breach callbacks) follow under plain names.
func (l *Limiter) WriteConfig(w io.Writer) error {
	c := &l.cfg
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(name, value string) { fmt.Fprintf(tw, "%s\t%s\n", name, value) }
	boolText := strconv.FormatBool
	set := func(isSet bool) string {
		if isSet {
			return "func"
		}
		return "-"
	}
	limits := func(rs *ruleSet) string {
		if rs == nil || len(rs.rule.Limits) == 0 {
			return "-"
		}
		return FormatLimits(rs.rule.Limits)
	}
	cost := func(o *levelOptions) string {
		switch {
		case o.costFunc != nil:
			return "func"
		case o.cost > 0:
			return strconv.FormatInt(o.cost, 10)
		}
		return "1"
	}

	line(EnvEnabled, boolText(l.enabled))
	line(EnvStorageURI, l.storageText())
	line(EnvStrategy, l.strategy.String())
	line(EnvKeyPrefix, l.prefix)
	line(EnvDefault, limits(l.defaults))
	line(EnvDefaultsPerMethod, boolText(c.defaults.perMethod))
	line(EnvDefaultsCost, cost(&c.defaults))
	line("RATELIMIT_DEFAULTS_EXEMPT_WHEN", set(c.defaults.exemptWhen != nil))
	line("RATELIMIT_DEFAULTS_DEDUCT_WHEN", set(c.defaults.deductWhen != nil))
	line(EnvApplication, limits(l.application))
	line(EnvApplicationPerMethod, boolText(c.application.perMethod))
	line(EnvApplicationCost, cost(&c.application))
	line(EnvMeta, limits(l.meta))
	line(EnvHeadersEnabled, boolText(l.headers.on))
	line(EnvHeaderLimit, l.headers.limit)
	line(EnvHeaderRemaining, l.headers.remaining)
	line(EnvHeaderReset, l.headers.reset)
	line(EnvHeaderRetryAfter, l.headers.retryAfter)
	retryAfter := "delta-seconds"
	if l.headers.httpDate {
		retryAfter = "http-date"
	}
	line(EnvHeaderRetryAfterValue, retryAfter)
	line(EnvIETFHeaders, boolText(l.headers.ietf))
	line(EnvSwallowErrors, boolText(c.swallow))
	line(EnvInMemoryFallbackEnabled, boolText(l.fallback != nil))
	line(EnvInMemoryFallback, limits(l.fallbackSet))
	line(EnvShadowMode, boolText(l.shadow))
	key := "RemoteAddress (default)"
	if c.keyFunc != nil {
		key = "func"
	}
	line("key func", key)
	clock := "Now (default)"
	switch {
	case c.coarse > 0:
		clock = "CoarseClock of " + c.coarse.String()
	case c.clock != nil:
		clock = "func"
	}
	line("clock", clock)
	line("request filters", strconv.Itoa(len(l.filters)))
	line("on breach", set(l.onBreach != nil))
	line("breach response", set(l.breachResp != nil))
	line("context results", boolText(c.ctxResults))
	return tw.Flush()
}

// storageText names the storage for WriteConfig: its URI with the
// password redacted, or what was passed to WithStorage.
func (l *Limiter) storageText() string {
	if l.cfg.storage != nil {
		return fmt.Sprintf("%T (WithStorage)", l.cfg.storage)
	}
	uri := l.cfg.storageURI
	if uri == "" {
		return "memory:// (default)"
	}
	u, err := backends.ParseURI(uri)
	if err != nil {
		return "(unparsable)" // New would have failed; never print it raw
	}
	return u.Redacted()
}
