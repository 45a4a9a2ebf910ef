package herald

import (
	"fmt"
	"strings"
)

// Channel is a messaging channel. Its number is the channel's ID in the API.
type Channel int

// Channels and their API numbers. Later channels take the next numbers.
const (
	ChannelSMS        Channel = 1
	ChannelRCS        Channel = 2
	ChannelViber      Channel = 3
	ChannelWhatsApp   Channel = 4
	ChannelWeChat     Channel = 5
	ChannelEmail      Channel = 6
	ChannelTelegram   Channel = 7
	ChannelPush       Channel = 8
	ChannelTTS        Channel = 9
	ChannelMobilePush Channel = 10
	ChannelWebChat    Channel = 11
)

// channelNames are the channels' names in the API, in number order.
func channelNames() []string {
	return []string{"", "sms", "rcs", "viber", "whatsapp", "wechat", "email", "telegram", "push", "tts", "mobilepush", "webchat"}
}

// AllChannels returns every channel in number order.
func AllChannels() []Channel {
	out := make([]Channel, 0, len(channelNames())-1)
	for i := 1; i < len(channelNames()); i++ {
		out = append(out, Channel(i))
	}
	return out
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c >= ChannelSMS && int(c) < len(channelNames()) }

// String returns the channel's API name, such as "sms".
func (c Channel) String() string {
	if !c.Valid() {
		return fmt.Sprintf("channel(%d)", int(c))
	}
	return channelNames()[c]
}

// Label returns the channel's name for people, such as "SMS".
func (c Channel) Label() string {
	switch c {
	case ChannelSMS, ChannelRCS, ChannelTTS:
		return strings.ToUpper(c.String())
	case ChannelWhatsApp:
		return "WhatsApp"
	case ChannelWeChat:
		return "WeChat"
	case ChannelMobilePush:
		return "Mobile Push"
	case ChannelWebChat:
		return "Web chat"
	}
	s := c.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// ParseChannel accepts a channel's number ("1") or name ("sms", any case).
func ParseChannel(s string) (Channel, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range channelNames() {
		if i > 0 && (s == n || s == fmt.Sprint(i)) {
			return Channel(i), nil
		}
	}
	return 0, Errorf(EINVALID, "Unknown channel %q.", s)
}

// AddressKind is what identifies a contact on a channel.
type AddressKind string

// Address kinds.
const (
	AddressPhone     AddressKind = "phone" // E.164 number: SMS, RCS, Viber, WhatsApp, TTS
	AddressEmail     AddressKind = "email" // e-mail address
	AddressPushToken AddressKind = "push"  // device token: Push, Mobile Push
	AddressChatID    AddressKind = "chat"  // channel-specific user or chat ID: Telegram, WeChat, web chat
)

// Address returns the kind of address the channel sends to.
func (c Channel) Address() AddressKind {
	switch c {
	case ChannelEmail:
		return AddressEmail
	case ChannelPush, ChannelMobilePush:
		return AddressPushToken
	case ChannelTelegram, ChannelWeChat, ChannelWebChat:
		return AddressChatID
	}
	return AddressPhone
}
