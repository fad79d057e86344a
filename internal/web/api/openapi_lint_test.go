package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/web/api"
)

// openAPIDocument is /api/openapi.json as the API serves it. Building the
// handler needs no database: the document comes from the route table.
func openAPIDocument(t *testing.T) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	api.New(api.Deps{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// Every component schema has a name client generators accept (OpenAPI's
// own rule for component keys), and the document names its licence.
func TestOpenAPIComponentNamesAndLicense(t *testing.T) {
	t.Parallel()
	var doc struct {
		Info struct {
			License *struct {
				Name string `json:"name"`
			} `json:"license"`
		} `json:"info"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	valid := regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	for name := range doc.Components.Schemas {
		if !valid.MatchString(name) {
			t.Errorf("component schema %q: want a name matching %s (name the Go type instead of an anonymous struct)", name, valid)
		}
	}
	if len(doc.Components.Schemas) == 0 {
		t.Error("no component schemas: the document did not build")
	}
	if doc.Info.License == nil || doc.Info.License.Name == "" {
		t.Error("info.license is missing")
	}
}

// The document passes a third-party linter's recommended rules (Redocly CLI,
// installed by scripts/openapi-lint/install.sh) with no error. Warnings are
// printed, not failed on.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("TRIBUNE_TEST_OPENAPI_LINT")
	if bin == "" {
		t.Skip("OpenAPI lint skipped: run scripts/openapi-lint/install.sh, then set TRIBUNE_TEST_OPENAPI_LINT to the path it prints")
	}
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, openAPIDocument(t), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "lint", "--extends=recommended", "--format=stylish", file)
	// No telemetry nor update check: tests never reach the internet.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	var problems []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, " error ") || strings.Contains(line, " warning ") {
			problems = append(problems, strings.TrimSpace(line))
		}
	}
	if err != nil {
		t.Fatalf("the linter reports errors (%v):\n%s", err, out)
	}
	for _, p := range problems {
		t.Logf("lint: %s", p)
	}
}
