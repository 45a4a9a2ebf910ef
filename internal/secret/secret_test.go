package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal([]byte("JBSWY3DPEHPK3PXP"))
	if bytes.Contains(sealed, []byte("JBSWY3DPEHPK3PXP")) {
		t.Fatal("sealed data contains the plaintext")
	}
	got, err := b.Open(sealed)
	if err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("Open = %q, %v; want the plaintext", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := b.Open(sealed); err == nil {
		t.Fatal("Open accepted tampered data")
	}
	other, _ := NewBox(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(b.Seal([]byte("x"))); err == nil {
		t.Fatal("Open accepted data sealed under another key")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load returned another key (%v)", err)
	}
	if _, err := ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("ParseKey accepted a short key")
	}
	if _, err := NewBox([]byte("short")); err == nil {
		t.Fatal("NewBox accepted a short key")
	}
}

func TestDeriveKey(t *testing.T) {
	k1, k2 := make([]byte, KeySize), make([]byte, KeySize)
	k2[0] = 1
	a, _ := NewBox(k1)
	a2, _ := NewBox(k1)
	b, _ := NewBox(k2)
	if string(a.DeriveKey("x")) != string(a2.DeriveKey("x")) {
		t.Error("the same key and purpose derive different keys")
	}
	if string(a.DeriveKey("x")) == string(a.DeriveKey("y")) || string(a.DeriveKey("x")) == string(b.DeriveKey("x")) {
		t.Error("another purpose or key derives the same key")
	}
	if len(a.DeriveKey("x")) != 32 {
		t.Error("derived key is not 32 bytes")
	}
}
