package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
)

// stepJS is the JavaScript expression of step n's (from 1) element.
func stepJS(n int) string { return fmt.Sprintf(`document.querySelectorAll('[data-step]')[%d]`, n-1) }

// setStep sets an input or select of step n and lets the scripts know.
func setStep(n int, sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(function(){var e=` + stepJS(n) + `.querySelector(` + jsString(sel) +
		`);e.value=` + jsString(value) + `;e.dispatchEvent(new Event('input',{bubbles:true}));e.dispatchEvent(new Event('change',{bubbles:true}));})()`)
}

// setField sets the input sel of the page and lets the scripts know.
func setField(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(function(){var e=document.querySelector(` + jsString(sel) +
		`);e.value=` + jsString(value) + `;e.dispatchEvent(new Event('input',{bubbles:true}));e.dispatchEvent(new Event('change',{bubbles:true}));})()`)
}

// waitLong polls a JavaScript condition for up to d.
func (b *browser) waitLong(what, expr string, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stat is the expression of a statistic's text on a broadcast's page.
func stat(name string) string {
	return `(document.querySelector('[data-bc-stats] [data-stat="` + name + `"]')||{}).textContent`
}

// TestBrowserBroadcast is the "done when" in Chromium: with a
// target of sandbox contacts (some not RCS capable, one that never reports),
// a new user builds an RCS then SMS broadcast with a one-minute waiting
// time, launches it, watches the progress and the fallback statistics
// fill in live, relaunches it for the failed contact, and sets up a daily
// template that shows its next launch.
func TestBrowserBroadcast(t *testing.T) {
	f := newFixture(t)
	f.withBroadcasts()
	b := newBrowser(t, f.srv.URL)
	// 0009 and 0019 deliver; 0004 is not RCS capable (SMS delivers); 0003
	// never reports (the RCS step waits its minute, then SMS); 0001 is
	// refused everywhere (the chain fails).
	f.newContacts("spring", "+34600500009", "+34600500019", "+34600500004", "+34600500003", "+34600500001")
	target := &herald.Target{AccountID: f.account.ID, Name: "Spring buyers",
		Filters: []herald.Filter{{Field: herald.ColTags, Op: herald.OpEq, Value: "spring"}}}
	if err := f.store.CreateTarget(sys(f.account.ID), target); err != nil {
		t.Fatal(err)
	}
	f.signInBrowser(b, "ana")

	// A template that launches every minute by a cron expression: it
	// launches on schedule while the broadcast below waits its minute.
	b.open("/broadcast-templates/new")
	b.do("filling the minute template", chromedp.WaitVisible(chromedp.CSS("#f-name")), chromedp.SendKeys(chromedp.CSS("#f-name"), "Every minute"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="recipients.targetIds"][value="%d"]`, target.ID))))
	b.waitFor("the template's SMS form", stepJS(1)+`.querySelector('[data-bind="text"]') !== null`)
	b.do("the minute template's step and schedule", setStep(1, "[data-step-sender]", "sandbox"), setStep(1, `[data-bind="text"]`, "Tick"),
		setStep(1, `[name="step.successCriterion"]`, "submit"), setField("[data-schedule-kind]", "cron"), setField("#f-schedule\\.cron", "* * * * *"))
	b.submit("[data-save]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "Next launch:") {
		t.Fatalf("after saving the minute template: %q", got)
	}
	minutePath := b.location()

	// The form: a target, the count shown live.
	b.open("/broadcasts/new")
	b.do("naming the broadcast", chromedp.WaitVisible(chromedp.CSS("#f-name")), chromedp.SendKeys(chromedp.CSS("#f-name"), "Spring sale"))
	b.do("choosing the target", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="recipients.targetIds"][value="%d"]`, target.ID))))
	b.waitFor("the recipient count", `document.querySelector('[data-recipient-count]').textContent === '5'`)
	if b.eval(`!document.querySelector('[data-rcs-toggle]').hidden`) {
		t.Error("the RCS capability check toggle shows without RCS in the chain")
	}

	// Step 1: RCS, one minute.
	b.do("step 1 on RCS", setStep(1, "select[data-channel]", "rcs"))
	b.waitFor("the RCS form", stepJS(1)+`.querySelector('[data-bind="card.title"]') !== null`)
	b.do("step 1's sender and content", setStep(1, "[data-step-sender]", "sandbox"),
		setStep(1, `[data-bind="card.title"]`, "Spring sale"), setStep(1, `[data-bind="card.text"]`, "Up to 50% off"),
		setStep(1, `[name="step.wait"]`, "1"), setStep(1, `[name="step.waitUnit"]`, "min"))
	if !b.eval(`!document.querySelector('[data-rcs-toggle]').hidden`) {
		t.Error("the RCS capability check toggle is hidden with RCS in the chain")
	}

	// Step 2: added, on SMS (the first channel not in the chain), success
	// at submit.
	b.do("adding a step", chromedp.Click(chromedp.CSS("[data-add-step]")))
	b.waitFor("step 2's SMS form", `document.querySelectorAll('[data-step]').length === 2 && `+stepJS(2)+`.querySelector('select[data-channel]').value === 'sms' && `+stepJS(2)+`.querySelector('[data-bind="text"]') !== null`)
	if !b.eval(stepJS(2) + `.querySelector('[data-step-n]').textContent === '2'`) {
		t.Error("the new step is not numbered 2")
	}
	b.do("step 2's sender and content", setStep(2, "[data-step-sender]", "sandbox"),
		setStep(2, `[data-bind="text"]`, "Spring sale: up to 50% off"), setStep(2, `[name="step.successCriterion"]`, "submit"))
	// Reordering moves the steps and renumbers them; moving back restores.
	b.do("moving step 2 up", chromedp.Evaluate[chromedp.Void](stepJS(2)+`.querySelector('[data-step-up]').click()`))
	if !b.eval(stepJS(1) + `.querySelector('select[data-channel]').value === 'sms' && ` + stepJS(2) + `.querySelector('[data-step-n]').textContent === '2'`) {
		t.Error("moving a step up did not reorder the chain")
	}
	b.do("moving it back", chromedp.Evaluate[chromedp.Void](stepJS(1)+`.querySelector('[data-step-down]').click()`))
	b.do("RCS capability check on", chromedp.Click(chromedp.CSS(`#f-rcsCheck`)))
	b.shot("broadcast-form")
	b.submit("[data-launch]")

	// The page follows the broadcast live: the first four chains decide at
	// once, the fifth after the minute; the page is not reloaded meanwhile.
	if loc := b.location(); !strings.HasPrefix(loc, "/broadcasts/") {
		t.Fatalf("after launch: %s\n%s", loc, b.text("main"))
	}
	runPath := b.location()
	b.do("marking the page", chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))
	b.waitFor("the first chains", stat("successful")+` === '3' && `+stat("unsuccessful")+` === '1' && `+stat("total")+` === '5'`)
	if !b.eval(`document.querySelector('[data-bc-status]').textContent === 'In progress'`) {
		t.Errorf("status reads %q during the minute", b.textOf("[data-bc-status]"))
	}
	b.shot("broadcast-live")
	b.waitLong("the fallback after the minute", `window.sameDocument === true && `+stat("successful")+` === '4'`, 100*time.Second)
	if !b.eval(`document.querySelector('[data-channel-stats="sms"] [data-stat="sent"]').textContent === '2' && ` +
		`document.querySelector('[data-bc-stats] .progress rect.progress-ok').getAttribute('width') === '80'`) {
		t.Errorf("SMS statistics or progress bar: %q", b.textOf("[data-bc-stats]"))
	}
	b.waitFor("the page with the complete broadcast's actions", `document.querySelector('[data-action="relaunch-failed"]') !== null`)
	b.shot("broadcast-complete")

	// Relaunch for the failed contact: a new run with one contact.
	b.submit(`[data-action="relaunch-failed"]`)
	if loc := b.location(); loc == runPath || !strings.HasPrefix(loc, "/broadcasts/") {
		t.Fatalf("after relaunch: %s", loc)
	}
	b.waitFor("the relaunch's statistics", stat("total")+` === '1'`)
	mustContain(t, b.text("main"), "Relaunched Spring sale for the failed contacts.")

	// The Broadcasts table lists the runs with their progress, the
	// template's launch among them as a recurrent run.
	b.open("/broadcasts?f.launchType=eq:manual")
	if n := b.eval(`document.querySelectorAll('table.data [data-progress]').length === 2`); !n {
		t.Error("the table does not show two manual runs with progress bars")
	}
	if !strings.Contains(b.eval2(`document.querySelector('table.data [data-progress]').getAttribute('title')`), "of 1 contacts") {
		t.Error("the progress bar's hover text lacks the figures")
	}
	for deadline := time.Now().Add(75 * time.Second); ; time.Sleep(2 * time.Second) {
		b.open("/broadcasts?f.launchType=eq:recurrent")
		if b.eval(`Array.prototype.some.call(document.querySelectorAll('table.data tbody tr'), function(tr){return tr.textContent.indexOf('Every minute') >= 0 && tr.textContent.indexOf('Recurrent') >= 0;})`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the minute template did not launch on schedule")
		}
	}
	b.shot("broadcasts")
	b.open(minutePath)
	if got := b.textOf("[data-launches]"); got == "0" {
		t.Errorf("the minute template counts %s launches", got)
	}

	// A daily template shows its next launch.
	b.open("/broadcast-templates/new")
	b.do("filling the template", chromedp.WaitVisible(chromedp.CSS("#f-name")), chromedp.SendKeys(chromedp.CSS("#f-name"), "Daily digest"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="recipients.targetIds"][value="%d"]`, target.ID))))
	b.waitFor("the template's SMS form", stepJS(1)+`.querySelector('[data-bind="text"]') !== null`)
	b.waitFor("the template's recipient count", `document.querySelector('[data-recipient-count]').textContent === '5'`)
	b.do("the template's step", setStep(1, "[data-step-sender]", "sandbox"), setStep(1, `[data-bind="text"]`, "Today's digest"))
	b.do("a daily schedule", setField("[data-schedule-kind]", "daily"))
	if !b.eval(`!document.querySelector('#f-schedule\\.time').closest('[data-show-kind]').hidden && document.querySelector('#f-schedule\\.cron').closest('[data-show-kind]').hidden`) {
		t.Error("the daily schedule does not show its time, or shows the cron expression")
	}
	b.do("the time of day", setField("#f-schedule\\.time", "09:00"))
	b.shot("template-form")
	b.submit("[data-save]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "Next launch:") {
		t.Fatalf("after saving the template: %q", got)
	}
	if got := b.textOf("[data-next-launch]"); !strings.Contains(got, "09:00:00") {
		t.Errorf("next launch %q", got)
	}
	b.shot("template")
}

// eval2 evaluates a JavaScript expression that returns a string.
func (b *browser) eval2(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}
