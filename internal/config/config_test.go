package config

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestFlagBeatsEnvironmentBeatsDefault(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TRIBUNE_ADDR": "127.0.0.1:9000", "TRIBUNE_WORKERS": "7"}
	c, err := Load("serve", []string{"-workers", "3"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.Workers != 3 || c.DataDir != "./data" {
		t.Errorf("got addr %q workers %d data %q", c.Addr, c.Workers, c.DataDir)
	}
	if c.PublicURL != "http://127.0.0.1:9000" {
		t.Errorf("PublicURL = %q", c.PublicURL)
	}
}

func TestBadValuesAreRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-workers", "zero"}, {"-workers", "0"}, {"-database-url", "mysql://x"}, {"-log-format", "xml"}, {"extra"}} {
		if _, err := Load("serve", args, func(string) string { return "" }); err == nil {
			t.Errorf("Load(%v) accepted bad input", args)
		}
	}
}

// The README's configuration table is the Settings table.
func TestReadmeListsEverySetting(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), Markdown()) {
		t.Error("README.md's configuration table differs from config.Markdown(): paste the new table")
	}
}

// Private networks are refused unless the operator says otherwise.
func TestAllowPrivateNetworksIsOffByDefault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"default", nil, nil, false},
		{"environment", nil, map[string]string{"TRIBUNE_ALLOW_PRIVATE_NETWORKS": "true"}, true},
		{"flag alone", []string{"-allow-private-networks"}, nil, true},
		{"flag beats environment", []string{"-allow-private-networks=false"}, map[string]string{"TRIBUNE_ALLOW_PRIVATE_NETWORKS": "true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("serve", tc.args, func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if c.AllowPrivateNetworks != tc.want {
				t.Errorf("AllowPrivateNetworks = %v, want %v", c.AllowPrivateNetworks, tc.want)
			}
		})
	}
}

func TestLimitSettings(t *testing.T) {
	t.Parallel()
	c, err := Load("serve", []string{"-trusted-proxies", "10.0.0.0/8, 192.0.2.7,::1"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.0.0.0/8 192.0.2.7/32 ::1/128]" {
		t.Errorf("TrustedProxies = %s", got)
	}
	for _, args := range [][]string{{"-trusted-proxies", "proxy.local"}, {"-api-write-cost", "0"}, {"-api-rate-limit", "-1"},
		{"-api-rate-limit", "3", "-api-write-cost", "4"}, {"-max-writes-in-flight", "-2"}} {
		if _, err := Load("serve", args, func(string) string { return "" }); err == nil {
			t.Errorf("Load(%v) accepted bad input", args)
		}
	}
}
