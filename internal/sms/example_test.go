package sms_test

import (
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/sms"
)

func ExampleAnalyze() {
	info := sms.Analyze("Hi {{attribute.name}}. Buy a cake and get one free today. Hurry up before we run out of free food! ")
	fmt.Println(info.Label())
	fmt.Println(info.Encoding, info.Characters, info.Units, info.Remaining)

	info = sms.Analyze("Precio: 5€. ¡Gracias, Begoña! 😀")
	fmt.Println(info.Label(), string(info.NonGSM))
	// Output:
	// 7-bit extended (160) 103 characters / 1 SMS
	// GSM-7 99 103 57
	// Unicode (70) 32 characters / 1 SMS 😀
}

func ExampleSplit() {
	text := strings.Repeat("a", 152) + "€" + "bc"
	text += strings.Repeat("d", 10)
	payloads, err := sms.Split(text, sms.GSM7)
	if err != nil {
		panic(err)
	}
	for _, p := range payloads {
		fmt.Printf("%d septets, starting % X\n", len(p), p[:2])
	}
	// The euro sign would straddle septets 153 and 154, so it opens segment 2.
	packed := sms.PackGSM7(payloads[1], 6) // after a 6-octet concatenation UDH
	back, _ := sms.DecodePackedGSM7(packed, 6, len(payloads[1]))
	fmt.Println(back)
	// Output:
	// 152 septets, starting 61 61
	// 14 septets, starting 1B 65
	// €bcdddddddddd
}
