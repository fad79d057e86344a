package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// `tribune user reset-password EMAIL` prints a one-time link to the reset
// page of the public URL; the link sets a new password once.
func TestUserResetPasswordPrintsAOneTimeLink(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"TRIBUNE_DATA_DIR": t.TempDir(), "TRIBUNE_PUBLIC_URL": "https://tribune.example.test"}
			if pg {
				env["TRIBUNE_DATABASE_URL"] = storetest.PostgresURL(t)
			}
			getenv := func(k string) string { return env[k] }
			ctx := context.Background()
			cfg, err := config.Load("test", nil, getenv)
			if err != nil {
				t.Fatal(err)
			}
			st, err := app.OpenStore(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			svc := &auth.Service{Store: st, Now: time.Now}
			if _, _, err := svc.SignUpOwner(ctx, auth.SignUpInput{Name: "Owner", Email: "owner@example.test", Password: "correct horse battery"}); err != nil {
				t.Fatal(err)
			}

			var out bytes.Buffer
			if err := run(ctx, []string{"user", "reset-password", "Owner@example.test"}, &out, getenv); err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`https://tribune\.example\.test/reset/([A-Za-z0-9_-]+)\n`).FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no reset link in %q", out.String())
			}
			if err := svc.ResetPassword(ctx, m[1], "a brand new password"); err != nil {
				t.Fatalf("the printed link does not work: %v", err)
			}
			if _, _, err := svc.Login(ctx, "owner@example.test", "a brand new password"); err != nil {
				t.Errorf("new password: %v", err)
			}
			if err := svc.ResetPassword(ctx, m[1], "another new password"); err == nil {
				t.Error("the link worked twice")
			}

			err = run(ctx, []string{"user", "reset-password", "nobody@example.test"}, &out, getenv)
			if err == nil || !strings.Contains(err.Error(), "no account") {
				t.Errorf("unknown address: %v", err)
			}
		})
	}
}
