package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/channel/sandbox"
)

// sendFlags are the options of herald send.
type sendFlags struct {
	channel, sender, to, account *string
	wait                         *bool
	timeout                      *time.Duration
}

// send sends one text message from the shell and prints its ID; with
// --wait it waits for the final status and prints it. When a herald
// server is running on the same database it does the sending; otherwise
// this process sends the message itself.
func send(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("send", env)
	f := sendFlags{
		channel: fs.String("channel", "sms", "channel: sms, rcs, viber, whatsapp, email, ... or its number"),
		sender:  fs.String("sender", herald.SandboxSender, "sender ID"),
		to:      fs.String("to", "", "destination: a phone number, an e-mail address or the channel's address (required)"),
		account: fs.String("account", herald.DefaultAccountName, "account (company) name"),
		wait:    fs.Bool("wait", false, "wait for the final status and print it"),
		timeout: fs.Duration("timeout", time.Minute, "how long --wait waits"),
	}
	load := commonFlags(fs, env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	req, err := f.request(text)
	if err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	m, err := open(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	return sendWith(ctx, env, m, req, f)
}

// request checks the flags and builds the message request.
func (f sendFlags) request(text string) (*herald.SendRequest, error) {
	var vs herald.Violations
	ch, err := herald.ParseChannel(*f.channel)
	if err != nil {
		vs.Add("channel", herald.VUnknown, "%s", herald.ErrorMessage(err))
	}
	if *f.to == "" {
		vs.Add("to", herald.VRequired, "Give the destination with --to.")
	}
	if strings.TrimSpace(text) == "" {
		vs.Add("text", herald.VRequired, "Give the message text after the flags, such as: herald send --to +34600111222 \"Hello\".")
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	ref := herald.ContactRef{Address: *f.to}
	switch ch.Address() {
	case herald.AddressPhone:
		ref = herald.ContactRef{Phone: *f.to}
	case herald.AddressEmail:
		ref = herald.ContactRef{Email: *f.to}
	}
	return &herald.SendRequest{Contact: ref, Origin: herald.OriginAPI, Traffic: herald.TrafficAPI,
		Steps: []herald.SendStep{{Channel: ch, SenderID: *f.sender, Payload: sandbox.TextPayload(text)}}}, nil
}

// sendWith sends req through m, leaving the sending to a running server
// when there is one.
func sendWith(ctx context.Context, env Env, m *app.Main, req *herald.SendRequest, f sendFlags) error {
	acc, err := m.Store.AccountByName(ctx, *f.account)
	if err != nil {
		return fmt.Errorf("account %q: %w", *f.account, err)
	}
	req.AccountID = acc.ID
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: acc.ID, Login: "cli"})
	live, err := m.Messaging.Engine.LiveInstances(ctx)
	if err != nil {
		return err
	}
	if err := m.ReopenMessaging(ctx, len(live) == 0); err != nil {
		return err
	}
	if err := m.StartMessaging(ctx); err != nil {
		return err
	}
	defer func() { _ = m.StopMessaging(context.WithoutCancel(ctx)) }()
	msg, err := m.Messaging.Engine.Send(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, msg.ID)
	wctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	if !*f.wait {
		if len(live) == 0 { // this process sends it: wait until it has left
			_, err := waitSent(wctx, m, acc.ID, msg.ID)
			return err
		}
		return nil
	}
	return printFinal(wctx, env, m, acc.ID, msg.ID)
}

// waitSent waits until the message is no longer queued.
func waitSent(ctx context.Context, m *app.Main, account int64, id string) (*herald.Message, error) {
	for {
		msg, err := m.Messaging.Engine.Message(ctx, account, id)
		if err != nil || (msg.Status != herald.StatusQueued && msg.Status != herald.StatusScheduled) {
			return msg, err
		}
		select {
		case <-ctx.Done():
			return msg, nil // still queued: it is committed and will be sent
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// printFinal waits for the final status and prints it; a failure is an
// error (exit status 1).
func printFinal(ctx context.Context, env Env, m *app.Main, account int64, id string) error {
	msg, err := m.Messaging.Engine.WaitFinal(ctx, account, id)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no final status in time; the message is %s", msg.Status)
	} else if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, msg.Status)
	if msg.Status.Failure() {
		return fmt.Errorf("message %s: %s", msg.Status, msg.Detail.Description)
	}
	return nil
}
