// Package smpp speaks SMPP 3.4 both ways: a Client (ESME) that sends
// through an operator's SMSC, and a Server (SMSC) that Herald's customers
// bind to. PDUs are encoded and decoded with gosmpp's pdu package; the
// sessions, windows, timers and the server are written here. The package
// knows nothing of Herald's domain: requests, results, receipts and MO
// messages are plain structs, and the caller plugs in with a few functions.
//
// # Client
//
// NewClient starts Config.Binds sessions (bind_transceiver, or a
// bind_transmitter and bind_receiver pair, per Config.Mode) that keep
// themselves alive with enquire_link, presume the SMSC dead when a response
// does not come within Config.ResponseTimeout, and reconnect with
// exponential backoff. Submit and SubmitAsync encode a Message (text, flash,
// binary or unicode; GSM 03.38 packed or unpacked, Latin-1 or UCS-2 through
// package sms; long messages split with an 8- or 16-bit UDH reference, SAR
// TLVs, or sent whole in message_payload) and hand each segment to a
// session with room in its window, under the connection's throughput limit.
// submit_sm_resp statuses are classified by Status.Temporary: throttling
// (ESME_RTHROTTLED, ESME_RMSGQFUL) pauses every session and resends; other
// temporary statuses are retried up to Config.MaxRetries; a segment whose
// session died before its response is resent on another session (its
// outcome was unknown), while a segment the SMSC acknowledged is never sent
// again. The Result reports each segment's outcome and message ID.
//
// deliver_sm go to Config.Inbound: receipts (esm_class 0x04, 0x08, 0x20),
// read from the receipted_message_id and message_state TLVs and from the
// text by package receipt, and MO messages, reassembled from UDH or SAR
// parts. The deliver_sm_resp is sent after Inbound returns, so a caller
// that records durably before returning loses nothing.
//
// A connector might use it like this:
//
//	c, err := smpp.NewClient(smpp.Config{
//		Addr: "smsc.example.net:2775", SystemID: "herald", Password: "secret",
//		Mode: smpp.BindTransceiver, Binds: 2, Window: 50, Throughput: 200,
//		RegisteredDelivery: 1, Concat: smpp.ConcatUDH8,
//		Source: smpp.AddrPlan{Auto: true}, Dest: smpp.AddrPlan{TON: 1, NPI: 1, Auto: true},
//		Inbound: smpp.InboundFuncs{
//			OnReceipt: func(ctx context.Context, r *smpp.Receipt) error {
//				return store.ApplyReceipt(ctx, r.IDs, r.State, r.Stat, r.Err) // match by any of r.IDs
//			},
//			OnMO: func(ctx context.Context, m *smpp.MO) error { return store.Inbound(ctx, m.Source.Addr, m.Dest.Addr, m.Text) },
//		},
//	})
//	defer c.Close()
//	res, err := c.Submit(ctx, &smpp.Message{Source: "Herald", Dest: "+46700000001", Text: body})
//	var se *smpp.SubmitError
//	switch {
//	case err == nil: // store receipt.Canonical(id) for each of res.MessageIDs()
//	case errors.Is(err, smpp.ErrEncoding): // permanent: the message cannot be sent as it is
//	case errors.As(err, &se) && se.Temporary: // retry later
//	default: // permanent refusal, or nothing sent (ErrClosed, ctx)
//	}
//
// # Server
//
// NewServer and Serve (or ListenAndServe, with optional TLS) accept binds,
// decide them with an AuthFunc (which returns ESME_RINVPASWD,
// ESME_RINVSYSID or ESME_RBINDFAIL to refuse; binds above
// BindSettings.MaxBinds get ESME_RALYBND), answer enquire_link, throttle
// each bind to BindSettings.Throughput with ESME_RTHROTTLED, and hand every
// submit_sm to a SubmitFunc that returns a non-empty message ID. Deliver
// pushes deliver_sm (receipts built by NewReceiptDelivery, MO by
// NewMODeliveries) to a receiver or transceiver bind of a system_id, within
// its window, and reports the ESME's acknowledgement, so that the caller
// dequeues its durable copy only then. Unknown or malformed PDUs get a
// generic_nack or an error status, or close the connection when framing is
// lost; none crashes the process.
//
//	srv, _ := smpp.NewServer(smpp.ServerConfig{
//		Auth: func(ctx context.Context, b *smpp.BindRequest) (smpp.BindSettings, error) {
//			acc, err := accounts.SMPPLogin(ctx, b.SystemID, b.Password, b.Remote.Addr())
//			if err != nil {
//				return smpp.BindSettings{}, smpp.StatusInvPassword
//			}
//			return smpp.BindSettings{Account: acc.ID, Throughput: acc.TPS, MaxBinds: acc.MaxBinds}, nil
//		},
//		Submit: func(ctx context.Context, r *smpp.SubmitRequest) (string, error) {
//			return messages.AcceptSMPP(ctx, r.Account, r) // committed before it returns
//		},
//		OnBound: func(b smpp.BindInfo) { deliveries.Wake(b.SystemID) },
//	})
//	go srv.ListenAndServe(ctx, ":2775")
//	// for each queued receipt or MO of a system_id:
//	err := srv.Deliver(ctx, systemID, smpp.NewReceiptDelivery(src, dst, rcpt, false), func(err error) {
//		if err == nil { deliveries.Done(item) } // else leave it queued
//	})
//	// err == smpp.ErrNoReceiver: keep it queued until OnBound.
//
// Subpackages: receipt parses and formats receipt texts; kannel runs
// Kannel's drive_smpp and bearerbox for tests and benchmarks; smppbench
// measures the client and the server.
package smpp
