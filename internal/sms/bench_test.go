package sms

import (
	"strings"
	"testing"
)

// Typical send-path texts: a one-segment OTP, a three-segment GSM promotion
// with extension characters, and a two-segment Unicode text with emoji.
func benchTexts() map[string]string {
	return map[string]string{
		"otp":   "Your Herald code is 482913. It expires in 5 minutes. Do not share it.",
		"promo": strings.Repeat("Autumn sale: up to 50% off [today only] at €9.99! ", 8),
		"emoji": strings.Repeat("Привет! Скидка 20% 🎉 ", 5),
	}
}

func BenchmarkAnalyze(b *testing.B) {
	for name, text := range benchTexts() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Analyze(text)
			}
		})
	}
}

func BenchmarkSplit(b *testing.B) {
	for name, text := range benchTexts() {
		enc := Analyze(text).Encoding
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Split(text, enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPackGSM7(b *testing.B) {
	septets, _ := EncodeGSM7(strings.Repeat("a", 153))
	b.ReportAllocs()
	for b.Loop() {
		PackGSM7(septets, 6)
	}
}

func BenchmarkDecodeGSM7(b *testing.B) {
	septets, _ := EncodeGSM7(strings.Repeat("Hello [world] ", 11))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeGSM7(septets); err != nil {
			b.Fatal(err)
		}
	}
}
