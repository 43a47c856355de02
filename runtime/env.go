package runtime

import (
	"strconv"
	"strings"
)

// Environment variables FromEnv reads, named as Flask-Limiter's
// configuration keys.
const (
	EnvEnabled                 = "RATELIMIT_ENABLED"
	EnvStorageURI              = "RATELIMIT_STORAGE_URI"
	EnvStrategy                = "RATELIMIT_STRATEGY"
	EnvKeyPrefix               = "RATELIMIT_KEY_PREFIX"
	EnvDefault                 = "RATELIMIT_DEFAULT"
	EnvDefaultsPerMethod       = "RATELIMIT_DEFAULTS_PER_METHOD"
	EnvDefaultsCost            = "RATELIMIT_DEFAULTS_COST"
	EnvApplication             = "RATELIMIT_APPLICATION"
	EnvApplicationPerMethod    = "RATELIMIT_APPLICATION_PER_METHOD"
	EnvApplicationCost         = "RATELIMIT_APPLICATION_COST"
	EnvMeta                    = "RATELIMIT_META"
	EnvHeadersEnabled          = "RATELIMIT_HEADERS_ENABLED"
	EnvHeaderLimit             = "RATELIMIT_HEADER_LIMIT"
	EnvHeaderRemaining         = "RATELIMIT_HEADER_REMAINING"
	EnvHeaderReset             = "RATELIMIT_HEADER_RESET"
	EnvHeaderRetryAfter        = "RATELIMIT_HEADER_RETRY_AFTER"
	EnvHeaderRetryAfterValue   = "RATELIMIT_HEADER_RETRY_AFTER_VALUE"
	EnvIETFHeaders             = "RATELIMIT_IETF_HEADERS"
	EnvSwallowErrors           = "RATELIMIT_SWALLOW_ERRORS"
	EnvInMemoryFallback        = "RATELIMIT_IN_MEMORY_FALLBACK"
	EnvInMemoryFallbackEnabled = "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"
	EnvShadowMode              = "RATELIMIT_SHADOW_MODE"
)

// applyEnv fills every setting not set explicitly from its variable.
func (c *config) applyEnv() error {
	get := c.getenv
	var firstErr error
	str := func(name string, bit uint32, set func(string)) {
		if c.explicit&bit != 0 {
			return
		}
		if v := strings.TrimSpace(get(name)); v != "" {
			set(v)
		}
	}
	boolean := func(name string, bit uint32, set func(bool)) {
		str(name, bit, func(v string) {
			b, err := parseEnvBool(v)
			if err != nil {
				if firstErr == nil {
					firstErr = errorf("%s=%q: want true or false", name, v)
				}
				return
			}
			set(b)
		})
	}
	integer := func(name string, bit uint32, set func(int64)) {
		str(name, bit, func(v string) {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				if firstErr == nil {
					firstErr = errorf("%s=%q: want a whole number of hits, at least 0", name, v)
				}
				return
			}
			set(n)
		})
	}
	boolean(EnvEnabled, setEnabled, func(b bool) { c.enabled = b })
	str(EnvStorageURI, setStorage, func(v string) { c.storageURI = v })
	str(EnvStrategy, setStrategy, func(v string) { c.strategy = v })
	str(EnvKeyPrefix, setPrefix, func(v string) { c.prefix = v })
	str(EnvDefault, setDefaults, func(v string) { c.defaults.texts = []string{v}; c.defaults.set = true })
	boolean(EnvDefaultsPerMethod, setDefaultsPerMethod, func(b bool) { c.defaults.perMethod = b })
	integer(EnvDefaultsCost, setDefaultsCost, func(n int64) { c.defaults.cost = n })
	str(EnvApplication, setApplication, func(v string) { c.application.texts = []string{v}; c.application.set = true })
	boolean(EnvApplicationPerMethod, setApplicationPerMethod, func(b bool) { c.application.perMethod = b })
	integer(EnvApplicationCost, setApplicationCost, func(n int64) { c.application.cost = n })
	str(EnvMeta, setMeta, func(v string) { c.meta.texts = []string{v}; c.meta.set = true })
	boolean(EnvHeadersEnabled, setHeaders, func(b bool) { c.headers = b })
	str(EnvHeaderLimit, setHeaderNames, func(v string) { c.headerNames.Limit = v })
	str(EnvHeaderRemaining, setHeaderNames, func(v string) { c.headerNames.Remaining = v })
	str(EnvHeaderReset, setHeaderNames, func(v string) { c.headerNames.Reset = v })
	str(EnvHeaderRetryAfter, setHeaderNames, func(v string) { c.headerNames.RetryAfter = v })
	str(EnvHeaderRetryAfterValue, setRetryAfter, func(v string) {
		switch strings.ToLower(v) {
		case "delta-seconds":
			c.retryAfter = RetryAfterDeltaSeconds
		case "http-date":
			c.retryAfter = RetryAfterHTTPDate
		default:
			if firstErr == nil {
				firstErr = errorf("%s=%q: want delta-seconds or http-date", EnvHeaderRetryAfterValue, v)
			}
		}
	})
	boolean(EnvIETFHeaders, setIETF, func(b bool) { c.ietf = b })
	boolean(EnvSwallowErrors, setSwallow, func(b bool) { c.swallow = b })
	str(EnvInMemoryFallback, setFallback, func(v string) { c.fallback = true; c.fallbackText = []string{v} })
	boolean(EnvInMemoryFallbackEnabled, setFallback, func(b bool) { c.fallback = c.fallback || b })
	boolean(EnvShadowMode, setShadow, func(b bool) { c.shadow = b })
	return firstErr
}

// parseEnvBool accepts the spellings operators write in environment files.
func parseEnvBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "t", "true", "yes", "y", "on":
		return true, nil
	case "0", "f", "false", "no", "n", "off":
		return false, nil
	}
	return false, errorf("not a boolean")
}
