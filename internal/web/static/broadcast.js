// Herald broadcast pages: the broadcast and template forms (type, the
// recipient count, the fallback chain's steps: add, remove, reorder, sender
// IDs of the step's channel, content templates) and a broadcast's live
// progress over server-sent events. The forms work without this script;
// it only makes them follow the choices as they are made.
(function () {
  'use strict';

  function all(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }

  function debounce(fn, ms) {
    var t;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // ---- the form

  function BroadcastForm(form) {
    var bf = this;
    bf.form = form;
    bf.steps = form.querySelector('[data-steps]');
    bf.tmpl = form.querySelector('template[data-step-template]');
    bf.seq = 0;
    bf.countSoon = debounce(function () { bf.count(); }, 300);
    form.addEventListener('change', function (ev) { bf.changed(ev.target); });
    form.addEventListener('input', function (ev) {
      if (ev.target.name === 'recipients.phones') bf.countSoon();
    });
    form.addEventListener('click', function (ev) {
      var btn = ev.target.closest('button');
      if (!btn || !form.contains(btn)) return;
      var step = btn.closest('[data-step]');
      if (btn.hasAttribute('data-add-step')) bf.addStep();
      else if (step && btn.hasAttribute('data-step-remove')) { step.remove(); bf.refresh(); }
      else if (step && btn.hasAttribute('data-step-up') && step.previousElementSibling) { step.parentNode.insertBefore(step, step.previousElementSibling); bf.refresh(); }
      else if (step && btn.hasAttribute('data-step-down') && step.nextElementSibling) { step.parentNode.insertBefore(step.nextElementSibling, step); bf.refresh(); }
    });
    // The constructor tells when its channel changes.
    form.addEventListener('constructor:change', function () { bf.refreshSteps(); });
    bf.refresh();
    bf.count();
  }

  // changed follows one input's change.
  BroadcastForm.prototype.changed = function (el) {
    var n = el.name || '';
    if (n.indexOf('recipients.') === 0) this.countSoon();
    this.refresh();
  };

  // addStep appends a step made from the blank one, on the first channel
  // the chain does not have yet.
  BroadcastForm.prototype.addStep = function () {
    var frag = this.tmpl.content.cloneNode(true);
    var id = 'n' + (++this.seq) + '-';
    all('[id]', frag).forEach(function (el) { el.id = el.id.replace('s__-', id); });
    all('label[for]', frag).forEach(function (el) { el.htmlFor = el.htmlFor.replace('s__-', id); });
    var used = this.channels();
    var sel = frag.querySelector('select[data-channel]');
    if (sel) {
      for (var i = 0; i < sel.options.length; i++) {
        if (used.indexOf(sel.options[i].value) < 0) { sel.selectedIndex = i; break; }
      }
    }
    var li = frag.querySelector('[data-step]');
    this.steps.appendChild(frag);
    if (window.Herald && Herald.composer && Herald.composer.start) Herald.composer.start();
    this.refresh();
    var first = li.querySelector('select');
    if (first) first.focus();
  };

  // channels returns the steps' channels in order.
  BroadcastForm.prototype.channels = function () {
    return all('[data-step]', this.steps).map(function (li) {
      var sel = li.querySelector('select[data-channel]');
      return sel ? sel.value : '';
    });
  };

  // refresh shows what the type, the launch time and the schedule ask
  // for, numbers the steps and fits each step's pickers to its channel.
  BroadcastForm.prototype.refresh = function () {
    var form = this.form;
    var typeEl = form.querySelector('input[name=type]:checked');
    var type = typeEl ? typeEl.value : 'fallback';
    all('[data-show-type]', form).forEach(function (el) {
      el.hidden = el.getAttribute('data-show-type').split(' ').indexOf(type) < 0;
    });
    var when = form.querySelector('input[name=when]:checked');
    all('[data-show-when]', form).forEach(function (el) {
      el.hidden = !when || el.getAttribute('data-show-when') !== when.value;
    });
    var kind = form.querySelector('[data-schedule-kind]');
    all('[data-show-kind]', form).forEach(function (el) {
      el.hidden = !kind || el.getAttribute('data-show-kind').split(' ').indexOf(kind.value) < 0;
    });
    form.classList.toggle('type-rcs-check', type === 'rcs_check');
    this.refreshSteps();
  };

  // refreshSteps numbers the steps, fits their pickers to their channels
  // and shows the RCS capability check toggle when RCS is in the chain.
  BroadcastForm.prototype.refreshSteps = function () {
    var lis = all('[data-step]', this.steps);
    lis.forEach(function (li, i) {
      li.querySelector('[data-step-n]').textContent = String(i + 1);
      var chSel = li.querySelector('select[data-channel]');
      var ch = chSel ? chSel.value : '';
      fitOptions(li.querySelector('[data-step-sender]'), ch);
      var tpl = li.querySelector('[data-step-template-pick]');
      fitOptions(tpl, ch);
      var usesTemplate = tpl && tpl.value !== '';
      var params = li.querySelector('[data-step-params]');
      if (params) { params.classList.remove('js-hidden'); params.hidden = !usesTemplate; }
      var cons = li.querySelector('[data-step-constructor] [data-forms]');
      if (cons) cons.hidden = usesTemplate;
      var up = li.querySelector('[data-step-up]'), down = li.querySelector('[data-step-down]');
      if (up) up.disabled = i === 0;
      if (down) down.disabled = i === lis.length - 1;
    });
    var toggle = this.form.querySelector('[data-rcs-toggle]');
    if (toggle) {
      var hasRCS = this.channels().indexOf('rcs') >= 0;
      toggle.hidden = !hasRCS;
      var box = toggle.querySelector('input');
      if (!hasRCS && box) box.checked = false;
    }
  };

  // fitOptions shows the options of a select that are for channel ch (or
  // for every channel). A choice of another channel's option moves to this
  // channel's option of the same value (the same sender ID name), or is
  // cleared when there is none.
  function fitOptions(sel, ch) {
    if (!sel) return;
    var chosen = sel.selectedIndex >= 0 ? sel.options[sel.selectedIndex] : null;
    var same = null;
    for (var i = 0; i < sel.options.length; i++) {
      var o = sel.options[i];
      var for_ = o.getAttribute('data-channel');
      var show = !for_ || for_ === ch;
      o.hidden = !show;
      o.disabled = !show;
      if (show && chosen && !same && o.value === chosen.value && o.value !== '') same = o;
    }
    if (chosen && chosen.disabled) {
      if (same) same.selected = true;
      else sel.value = '';
    }
  }

  // count asks the server how many contacts the recipients select now.
  BroadcastForm.prototype.count = function () {
    var box = this.form.querySelector('[data-recipients]');
    if (!box) return;
    var out = box.querySelector('[data-recipient-count]');
    var note = box.querySelector('[data-recipient-note]');
    var body = new URLSearchParams();
    all('input, textarea', box).forEach(function (el) {
      if (!el.name || el.disabled) return;
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
      body.append(el.name, el.value);
    });
    out.setAttribute('aria-busy', 'true');
    fetch(box.getAttribute('data-count-url'), {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'X-Requested-With': 'fetch', 'Accept': 'application/json' }
    }).then(function (res) { return res.ok ? res.json() : null; }).then(function (res) {
      out.removeAttribute('aria-busy');
      if (!res) return;
      out.textContent = String(res.count);
      note.textContent = res.error ? res.error : (res.count === 1 ? 'contact (counted again at launch)' : 'contacts (counted again at launch)');
    }).catch(function () { out.removeAttribute('aria-busy'); });
  };

  // ---- live progress

  function follow(section) {
    var url = section.getAttribute('data-bc-live');
    if (!url || !window.EventSource) return;
    var badge = document.querySelector('[data-live-badge]');
    var status = document.querySelector('[data-bc-status]');
    var first = status ? status.textContent : '';
    var es = new EventSource(url);
    if (badge) badge.hidden = false;
    es.addEventListener('progress', function (ev) {
      var d;
      try { d = JSON.parse(ev.data); } catch (e) { return; }
      section.querySelector('[data-bc-stats]').innerHTML = d.html;
      if (status) { status.textContent = d.statusLabel; status.className = d.statusClass; }
      var contacts = document.querySelector('[data-bc-contacts]');
      if (contacts) contacts.textContent = String(d.contacts);
      section.setAttribute('data-bc-status-now', d.status);
      if (d.final && d.statusLabel !== first) {
        // The actions that apply change with the status.
        setTimeout(function () { location.reload(); }, 1500);
      }
    });
    es.addEventListener('end', function () {
      es.close();
      if (badge) badge.hidden = true;
    });
  }

  function start() {
    all('form[data-broadcast-form]').forEach(function (f) {
      if (!f.broadcastForm) f.broadcastForm = new BroadcastForm(f);
    });
    all('[data-bc-live]').forEach(function (s) {
      if (!s.following) { s.following = true; follow(s); }
    });
  }
  document.addEventListener('DOMContentLoaded', start);
})();
