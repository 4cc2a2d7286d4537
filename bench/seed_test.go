package bench

import (
	"context"
	"testing"
)

// The measured code paths must do what they claim: both reach AVAILABLE
// with exactly the seed's 5 requests.
func TestSeedRunsMakeFiveRequests(t *testing.T) {
	doc := loadSeed(t)
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, url string) error
	}{
		{"engine", func(ctx context.Context, url string) error {
			return runEngine(ctx, newEngine(t, doc, url, nil), seedInputs())
		}},
		{"raw", func(ctx context.Context, url string) error {
			return newRawClient(url).run(ctx, seedInputs())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := newServer(t, 2)
			if err := tc.run(context.Background(), srv.URL); err != nil {
				t.Fatal(err)
			}
			if got := s.Served(); got != 5 {
				t.Errorf("server answered %d requests, want 5 (read, create, 3 polls)", got)
			}
		})
	}
}

func TestSeedServerRejectsMissingAuthorization(t *testing.T) {
	_, srv := newServer(t, 2)
	resp, err := srv.Client().Get(srv.URL + BasePath + "/instances/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
}
