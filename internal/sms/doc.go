// Package sms knows how a text travels as SMS: which alphabet it needs, how
// many segments it takes, and how its bytes look on the wire.
//
// A text is sent in the GSM 03.38 7-bit default alphabet (3GPP TS 23.038
// §6.2.1) when every character is in its basic table or its extension table;
// an extension character (form feed ^ { } \ [ ~ ] | €) costs two septets, the
// escape 0x1B and its code. Any other character forces UCS-2, where each
// character costs one UTF-16 code unit, or two (a surrogate pair) outside the
// Basic Multilingual Plane.
//
// One message holds 160 septets or 70 UCS-2 units. A longer text is
// concatenated: the user data header takes room, leaving 153 septets or 67
// units per segment. A segment never ends between an escape and its code, nor
// between the two halves of a surrogate pair: such a character moves whole to
// the next segment.
//
// Analyze counts a text for the portal and for billing; Split cuts it into
// segment payloads for an SMPP connector; the Encode, Pack and Decode
// functions convert between strings and the wire forms (unpacked septets,
// packed septets after a user data header, UCS-2 big-endian) in both
// directions, the latter for inbound (MO) messages.
//
// The package is pure and safe for concurrent use: it has no state, and its
// lookup tables are constant strings and switches.
package sms
