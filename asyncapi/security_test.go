package asyncapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestServerSecurity(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/secure-3.0.yaml": "gateway:[token http bearer] kafka:[ scramSha512 ] rabbit:[brokerLogin userPassword ]",
		"testdata/secure-2.6.yaml": "nats:[natsLogin userPassword ]",
	} {
		doc, err := (&Loader{}).Load(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, name := range []string{"gateway", "kafka", "nats", "rabbit"} {
			if s := doc.Servers[name]; s != nil {
				var ss []string
				for _, x := range s.Security {
					ss = append(ss, x.Name+" "+x.Type+" "+x.Scheme)
				}
				got = append(got, fmt.Sprintf("%s:%s", name, ss))
			}
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("%s: security = %q, want %q", file, g, want)
		}
		if strings.Contains(file, "2.6") && (len(doc.Problems) != 1 || !strings.Contains(doc.Problems[0].Error(), `"missing"`)) {
			t.Errorf("%s: problems = %v, want one for the missing scheme", file, doc.Problems)
		}
	}
}
