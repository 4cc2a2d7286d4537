package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// expiryMargin renews a token this long before it expires, so that it does not lapse in flight.
const expiryMargin = 30 * time.Second

// defaultTokenLifetime is assumed when a token response has no expires_in.
const defaultTokenLifetime = time.Hour

// maxTokenLifetime caps expires_in, which a broken server may send absurdly large.
const maxTokenLifetime = 24 * time.Hour

// maxTokenResponse bounds a token endpoint's answer.
const maxTokenResponse = 1 << 20

// tokenCache holds the client-credentials tokens of one credential, per token URL and scope set.
type tokenCache struct {
	clientID, clientSecret string
	now                    func() time.Time

	mu     sync.Mutex // held while fetching, so concurrent requests share one fetch
	tokens map[string]*token
}

type token struct {
	value   string
	expires time.Time
}

func cacheKey(tokenURL string, scopes []string) string {
	return tokenURL + "\x00" + strings.Join(scopes, " ")
}

func (c *tokenCache) drop(tokenURL string, scopes []string) {
	c.mu.Lock()
	delete(c.tokens, cacheKey(tokenURL, scopes))
	c.mu.Unlock()
}

// get returns a valid token, fetching one when none is cached or it is about to expire. fetched reports a
// token fetched by this call.
func (c *tokenCache) get(ctx context.Context, rt http.RoundTripper, tokenURL string, scopes []string) (string, bool, error) {
	key := cacheKey(tokenURL, scopes)
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok := c.tokens[key]; tok != nil && c.now().Add(expiryMargin).Before(tok.expires) {
		return tok.value, false, nil
	}
	tok, err := c.fetch(ctx, rt, tokenURL, scopes)
	if err != nil {
		return "", false, err
	}
	c.tokens[key] = tok
	return tok.value, true, nil
}

// fetch asks the token endpoint (RFC 6749 §4.4) with the client authenticated by HTTP Basic (§2.3.1).
// Errors carry the endpoint's error code, never its whole body or a credential.
func (c *tokenCache) fetch(ctx context.Context, rt http.RoundTripper, tokenURL string, scopes []string) (*token, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	ctx, cancel := detach(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("oauth2 token request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(c.clientID), url.QueryEscape(c.clientSecret))
	started := c.now()
	resp, err := (&http.Client{Transport: rt, CheckRedirect: tokenRedirect}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("oauth2 token request to %s failed: %v", tokenURL, unwrapURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return nil, fmt.Errorf("oauth2 token response from %s: %v", tokenURL, err)
	}
	var tr struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		Error       string          `json:"error"`
	}
	jsonErr := json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK {
		if jsonErr == nil && tr.Error != "" && len(tr.Error) < 100 {
			return nil, fmt.Errorf("oauth2 token endpoint %s answered %d (%s)", tokenURL, resp.StatusCode, tr.Error)
		}
		return nil, fmt.Errorf("oauth2 token endpoint %s answered %d", tokenURL, resp.StatusCode)
	}
	if jsonErr != nil || tr.AccessToken == "" {
		return nil, fmt.Errorf("oauth2 token endpoint %s answered without an access_token", tokenURL)
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return nil, fmt.Errorf("oauth2 token endpoint %s gave a %q token; only bearer tokens are supported", tokenURL, clip(tr.TokenType))
	}
	if strings.ContainsAny(tr.AccessToken, "\r\n") {
		return nil, fmt.Errorf("oauth2 token endpoint %s gave a token with a line break", tokenURL)
	}
	life := defaultTokenLifetime
	if len(tr.ExpiresIn) > 0 {
		// Some servers send the number as a string.
		var secs float64
		raw := strings.Trim(string(tr.ExpiresIn), `"`)
		if _, err := fmt.Sscan(raw, &secs); err == nil && secs > 0 {
			secs = min(secs, maxTokenLifetime.Seconds())
			life = time.Duration(secs * float64(time.Second))
		}
	}
	return &token{value: tr.AccessToken, expires: started.Add(life)}, nil
}

// tokenRedirect follows a token endpoint's redirect only within its origin: net/http would keep the Basic
// header (the client secret) on a redirect to another port, a subdomain or plain http of the same host.
func tokenRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if from, to := origin(via[0].URL), origin(req.URL); from != to {
		return fmt.Errorf("redirected from %s to %s; the client credentials are not sent there", from, to)
	}
	return nil
}

func unwrapURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// detach returns a context with ctx's deadline and cancellation but none of its values: the token request must
// not carry the API request's operation, or a transport keyed by operation (mocks, this one) would treat it as
// that operation's call.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	out, cancel := context.WithCancel(context.Background())
	if d, ok := ctx.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		out, cancelDeadline = context.WithDeadline(out, d)
		prev := cancel
		cancel = func() { cancelDeadline(); prev() }
	}
	stop := context.AfterFunc(ctx, cancel)
	return out, func() { stop(); cancel() }
}
