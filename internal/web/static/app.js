// Herald portal scripts. Every page works without them; they only make it
// nicer: the collapsible menu, the theme switch, confirmation dialogs, tabs,
// the filter panel, copy buttons, a password generator, live counts and
// media uploads with progress.
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.remove('no-js');
  root.classList.add('js');
  // Applied before the page is drawn, so the menu does not jump.
  try {
    if (localStorage.getItem('herald.menu') === 'collapsed') root.classList.add('menu-collapsed');
  } catch (e) { /* storage disabled: the menu stays open */ }

  function all(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }

  function on(sel, type, fn) {
    document.addEventListener(type, function (ev) {
      var el = ev.target.closest && ev.target.closest(sel);
      if (el) fn(ev, el);
    });
  }

  // The menu collapses to icons; the choice is remembered.
  on('[data-collapse]', 'click', function () {
    var collapsed = root.classList.toggle('menu-collapsed');
    try { localStorage.setItem('herald.menu', collapsed ? 'collapsed' : 'open'); } catch (e) { /* ignore */ }
  });

  // Theme buttons switch at once and save in the background.
  on('.theme-switch button', 'click', function (ev, btn) {
    var form = btn.form;
    ev.preventDefault();
    root.setAttribute('data-theme', btn.value);
    all('button', form).forEach(function (b) { b.setAttribute('aria-pressed', String(b === btn)); });
    var body = new URLSearchParams({ theme: btn.value });
    fetch(form.action, { method: 'POST', body: body, headers: { 'X-Requested-With': 'fetch' }, credentials: 'same-origin' })
      .catch(function () { form.submit(); });
  });

  // Links with data-confirm ask in a dialog, then post to their address.
  on('a[data-confirm]', 'click', function (ev, link) {
    var dlg = document.getElementById('confirm-dialog');
    if (!dlg || !dlg.showModal) return; // the link's confirmation page asks instead
    ev.preventDefault();
    dlg.querySelector('[data-confirm-text]').textContent = link.getAttribute('data-confirm');
    dlg.querySelector('[data-confirm-ok]').textContent = link.getAttribute('data-confirm-button') || 'Delete';
    dlg.returnValue = '';
    dlg.onclose = function () {
      if (dlg.returnValue !== 'ok') return;
      var f = document.createElement('form');
      f.method = 'post';
      f.action = link.getAttribute('href');
      document.body.appendChild(f);
      f.submit();
    };
    dlg.showModal();
    dlg.querySelector('[data-confirm-ok]').focus();
  });

  // Audit rows expand to their details.
  on('[data-toggle-detail]', 'click', function (ev, btn) {
    var row = document.getElementById(btn.getAttribute('aria-controls'));
    var open = row.classList.toggle('open');
    btn.setAttribute('aria-expanded', String(open));
  });

  // Pop-overs close on outside clicks and Escape.
  document.addEventListener('click', function (ev) {
    all('details.pop-wrap[open]').forEach(function (d) {
      if (!d.contains(ev.target)) d.removeAttribute('open');
    });
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape') return;
    all('details.pop-wrap[open]').forEach(function (d) { d.removeAttribute('open'); });
  });

  // Copy buttons copy the text of the element they name.
  on('[data-copy]', 'click', function (ev, btn) {
    var el = document.getElementById(btn.getAttribute('data-copy'));
    var label = btn.querySelector('span') || btn;
    var done = function () {
      label.textContent = 'Copied';
      setTimeout(function () { label.textContent = 'Copy'; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(el.textContent.trim()).then(done);
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    if (document.execCommand('copy')) done();
  });

  // "Generate" fills the new password fields with a strong password and
  // shows it, so it can be written down.
  on('[data-generate]', 'click', function (ev, btn) {
    var pw = strongPassword(16);
    btn.getAttribute('data-generate').split(' ').forEach(function (id) {
      var input = document.getElementById(id);
      if (!input) return;
      input.value = pw;
      input.type = 'text';
    });
  });

  function strongPassword(n) {
    var groups = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#$%&*+-=?@_'];
    var chars = groups.join('');
    var rnd = new Uint32Array(n * 2);
    crypto.getRandomValues(rnd);
    var out = groups.map(function (g, i) { return g[rnd[i] % g.length]; });
    for (var i = out.length; i < n; i++) out.push(chars[rnd[i] % chars.length]);
    for (var j = out.length - 1; j > 0; j--) { // shuffle so the groups are not in front
      var k = rnd[n + j] % (j + 1);
      var t = out[j]; out[j] = out[k]; out[k] = t;
    }
    return out.join('');
  }

  // Character counters ("19 / 40").
  on('input[data-counter]', 'input', function (ev, input) {
    var out = document.querySelector('[data-count-of="' + input.id + '"]');
    if (out) out.textContent = String(input.value.length);
  });

  // Connection forms show the inputs of the chosen connector type.
  function typeFields(sel) {
    all('[data-type-show]', sel.form).forEach(function (el) { el.hidden = el.getAttribute('data-type-show') !== sel.value; });
    all('[data-type-hide]', sel.form).forEach(function (el) { el.hidden = el.getAttribute('data-type-hide') === sel.value; });
  }
  on('select[name=type]', 'change', function (ev, sel) { typeFields(sel); });
  document.addEventListener('DOMContentLoaded', function () { all('select[name=type]').forEach(typeFields); });

  // Buttons that reveal a hidden part of a form.
  on('[data-reveal]', 'click', function (ev, btn) {
    var el = document.getElementById(btn.getAttribute('data-reveal'));
    el.classList.toggle('open');
    var input = el.querySelector('input');
    if (input && el.classList.contains('open')) input.focus();
  });

  // Permission sections count their ticked boxes: "Contacts (2 of 3)".
  function recount(container) {
    all('.perm-section', container).forEach(function (sec) {
      var boxes = all('input[type=checkbox]', sec);
      var items = boxes.length ? boxes : all('li[data-perm]', sec);
      var n = boxes.length ? boxes.filter(function (b) { return b.checked; }).length : all('li.on', sec).length;
      sec.querySelector('[data-count]').textContent = '(' + n + ' of ' + items.length + ')';
    });
  }
  on('[data-perm-sections] input', 'change', function (ev, input) {
    recount(input.closest('[data-perm-sections]'));
  });

  // The role form's template fills the permissions.
  on('select[data-template]', 'change', function (ev, sel) {
    var opt = sel.options[sel.selectedIndex];
    var perms = (opt.getAttribute('data-perms') || '').split(' ');
    var box = sel.form.querySelector('[data-perm-sections]');
    if (!opt.value) return;
    all('input[type=checkbox]', box).forEach(function (b) { b.checked = perms.indexOf(b.value) >= 0; });
    recount(box);
  });

  // The user form sums the permissions of the chosen roles.
  function sumRoles(form) {
    var summary = form.querySelector('[data-perm-summary]');
    if (!summary) return;
    var unrestricted = form.querySelector('input[name=noRestrictions]');
    var set = {};
    all('input[name=roleIds]', form).forEach(function (b) {
      b.disabled = unrestricted && unrestricted.checked;
      if (b.checked && !b.disabled) {
        (b.getAttribute('data-perms') || '').split(' ').forEach(function (p) { set[p] = true; });
      }
    });
    all('li[data-perm]', summary).forEach(function (li) {
      var has = (unrestricted && unrestricted.checked) || set[li.getAttribute('data-perm')];
      li.classList.toggle('on', !!has);
    });
    recount(summary);
  }
  on('input[name=roleIds], input[name=noRestrictions]', 'change', function (ev, input) {
    sumRoles(input.form);
  });

  // Tabs: one panel at a time; the first panel with an error opens first.
  function setupTabs(box) {
    var tabs = all('[role=tab]', box);
    function select(tab) {
      tabs.forEach(function (t) {
        var sel = t === tab;
        t.setAttribute('aria-selected', String(sel));
        t.tabIndex = sel ? 0 : -1;
        document.getElementById(t.getAttribute('aria-controls')).hidden = !sel;
      });
    }
    var first = tabs[0];
    tabs.forEach(function (t) {
      var panel = document.getElementById(t.getAttribute('aria-controls'));
      if (panel.querySelector('.invalid')) {
        t.classList.add('has-error');
        if (first === tabs[0] && !tabs[0].classList.contains('has-error')) first = t;
      }
      t.addEventListener('click', function () { select(t); });
      t.addEventListener('keydown', function (ev) {
        var i = tabs.indexOf(t);
        if (ev.key === 'ArrowRight') { select(tabs[(i + 1) % tabs.length]); tabs[(i + 1) % tabs.length].focus(); }
        if (ev.key === 'ArrowLeft') { select(tabs[(i + tabs.length - 1) % tabs.length]); tabs[(i + tabs.length - 1) % tabs.length].focus(); }
      });
    });
    select(first);
  }

  // The filter panel offers the conditions and inputs that fit the column.
  function setupFilter(form) {
    var col = form.querySelector('[data-fcol]');
    var op = form.querySelector('[data-fop]');
    function update() {
      var opt = col.options[col.selectedIndex];
      var type = opt ? opt.getAttribute('data-type') : 'text';
      all('option', op).forEach(function (o) {
        o.hidden = o.disabled = o.getAttribute('data-types').split(' ').indexOf(type) < 0;
      });
      if (op.options[op.selectedIndex].disabled) {
        op.value = all('option', op).filter(function (o) { return !o.disabled; })[0].value;
      }
      all('[data-show]', form).forEach(function (el) {
        el.hidden = el.getAttribute('data-show').split(' ').indexOf(op.value) < 0;
      });
      var val = form.querySelector('[name=fval]');
      var list = document.getElementById('dl-' + col.value);
      if (list) val.setAttribute('list', list.id); else val.removeAttribute('list');
      val.type = type === 'number' ? 'number' : 'text';
      all('[name=fmin], [name=fmax]', form).forEach(function (i) {
        i.type = type === 'time' ? 'date' : (type === 'number' ? 'number' : 'text');
      });
    }
    col.addEventListener('change', update);
    op.addEventListener('change', update);
    update();
  }

  // The column chooser keeps at least one column.
  on('[data-col-chooser] input[name=col]', 'change', function (ev, input) {
    var boxes = all('input[name=col]', input.form);
    if (!boxes.some(function (b) { return b.checked; })) input.checked = true;
  });

  // Contacts: "select all on this page" and the count of ticked rows.
  function countSelected() {
    var out = document.querySelector('[data-selected-count]');
    if (!out) return;
    var n = all('[data-select-row]').filter(function (b) { return b.checked; }).length;
    out.textContent = '(' + n + ' ticked)';
  }
  on('[data-select-all]', 'change', function (ev, box) {
    all('[data-select-row]').forEach(function (b) { b.checked = box.checked; });
    countSelected();
  });
  on('[data-select-row]', 'change', countSelected);

  // Buttons that submit only after the confirmation dialog.
  on('button[data-confirm-submit]', 'click', function (ev, btn) {
    var dlg = document.getElementById('confirm-dialog');
    if (!dlg || !dlg.showModal || btn.getAttribute('data-confirmed')) return;
    ev.preventDefault();
    dlg.querySelector('[data-confirm-text]').textContent = btn.getAttribute('data-confirm-submit');
    dlg.returnValue = '';
    dlg.onclose = function () {
      if (dlg.returnValue !== 'ok') return;
      btn.setAttribute('data-confirmed', '1');
      btn.click();
    };
    dlg.showModal();
  });

  // A search box that hides the rows of a table whose name does not match.
  on('input[data-filter-rows]', 'input', function (ev, input) {
    var q = input.value.trim().toLowerCase();
    all('#' + input.getAttribute('data-filter-rows') + ' tr[data-name]').forEach(function (tr) {
      tr.hidden = q !== '' && tr.getAttribute('data-name').toLowerCase().indexOf(q) < 0;
    });
  });

  // An import's progress is polled until it ends, then the page shows the report.
  function pollImport(box) {
    if (box.getAttribute('data-final') === 'true') return;
    var url = box.getAttribute('data-import-progress');
    var tick = function () {
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (res) { return res.json(); })
        .then(function (im) {
          all('[data-field]', box).forEach(function (el) {
            var v = im[el.getAttribute('data-field')];
            if (v !== undefined) el.textContent = String(v);
          });
          if (im.final) { location.reload(); return; }
          setTimeout(tick, 1000);
        })
        .catch(function () { setTimeout(tick, 3000); });
    };
    setTimeout(tick, 500);
  }

  // Live pages ([data-refresh]="seconds") reload themselves while the
  // reader is not busy: no open popover, expanded row or focused field.
  function liveRefresh(el) {
    var secs = parseInt(el.getAttribute('data-refresh'), 10) || 5;
    var tick = function () {
      var busy = document.querySelector('details.pop-wrap[open], [aria-expanded=true]') ||
        (document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName));
      if (busy || document.hidden) { setTimeout(tick, secs * 1000); return; }
      location.reload();
    };
    setTimeout(tick, secs * 1000);
  }

  // Media uploads: files dropped on the zone or picked are listed, then
  // sent one request each with a progress bar; each file's error stays
  // beside it. Without scripts the form posts all the files at once.
  function setupUpload(form) {
    var input = form.querySelector('input[type=file]');
    var zone = form.querySelector('[data-dropzone]');
    var list = form.querySelector('[data-upload-list]');
    var max = parseInt(form.getAttribute('data-max'), 10) || 0;
    var maxLabel = form.getAttribute('data-max-label') || '';
    var items = [];
    var busy = false;
    function fieldError(msg) {
      var p = zone.querySelector('#e-f-file');
      if (!p && msg) {
        p = document.createElement('p');
        p.className = 'error';
        p.id = 'e-f-file';
        p.setAttribute('role', 'alert');
        zone.appendChild(p);
      }
      if (p) p.textContent = msg;
      zone.classList.toggle('invalid', !!msg);
      if (msg) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', 'e-f-file'); } else { input.removeAttribute('aria-invalid'); }
    }
    function human(n) {
      var units = ['B', 'KB', 'MB', 'GB'];
      var i = 0;
      while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
      return (i ? n.toFixed(2).replace(/\.?0+$/, '') : String(n)) + ' ' + units[i];
    }
    function setStatus(it, text, bad) {
      it.status.textContent = text;
      it.status.className = 'u-status' + (bad ? ' error' : '');
      it.li.classList.toggle('failed', !!bad);
    }
    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        var li = document.createElement('li');
        li.className = 'upload-item';
        var name = document.createElement('span');
        name.className = 'u-name';
        name.textContent = file.name;
        var size = document.createElement('span');
        size.className = 'u-size';
        size.textContent = human(file.size);
        var bar = document.createElement('progress');
        bar.max = 100;
        bar.value = 0;
        bar.setAttribute('aria-label', 'Upload of ' + file.name);
        var status = document.createElement('p');
        li.appendChild(name); li.appendChild(size); li.appendChild(bar); li.appendChild(status);
        list.appendChild(li);
        var it = { file: file, li: li, bar: bar, status: status };
        if (max && file.size > max) { it.error = true; setStatus(it, 'The file is larger than ' + maxLabel + ', the most the media library takes.', true); } else { setStatus(it, 'Ready to upload', false); }
        items.push(it);
      });
      fieldError('');
    }
    function send(it, done) {
      var xhr = new XMLHttpRequest();
      var fd = new FormData();
      fd.append('file', it.file, it.file.name);
      xhr.open('POST', form.getAttribute('action'));
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = function (ev) {
        if (!ev.lengthComputable) return;
        var pct = Math.floor(ev.loaded / ev.total * 100);
        it.bar.value = pct;
        setStatus(it, 'Uploading… ' + pct + '%', false);
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 201) {
          it.done = true;
          it.bar.value = 100;
          it.li.classList.add('done');
          setStatus(it, 'Uploaded', false);
          done(true);
          return;
        }
        it.error = true;
        setStatus(it, (body.errors && body.errors.file) || body.message || 'The upload failed (' + xhr.status + ').', true);
        done(false);
      };
      xhr.onerror = function () {
        it.error = true;
        setStatus(it, 'The upload was interrupted; check the connection and try again.', true);
        done(false);
      };
      xhr.send(fd);
    }
    zone.addEventListener('dragover', function (ev) { ev.preventDefault(); zone.classList.add('dragover'); });
    zone.addEventListener('dragleave', function (ev) { if (!zone.contains(ev.relatedTarget)) zone.classList.remove('dragover'); });
    zone.addEventListener('drop', function (ev) {
      ev.preventDefault();
      zone.classList.remove('dragover');
      if (ev.dataTransfer && ev.dataTransfer.files.length) add(ev.dataTransfer.files);
    });
    zone.addEventListener('click', function (ev) {
      if (ev.target === input || ev.target.closest('label')) return; // the label opens the picker itself
      input.click();
    });
    input.addEventListener('change', function () { if (input.files.length) add(input.files); input.value = ''; });
    form.addEventListener('reset', function () {
      if (busy) return;
      items = [];
      list.innerHTML = '';
      fieldError('');
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (busy) return;
      var todo = items.filter(function (it) { return !it.done && !it.error; });
      if (!items.length) { fieldError('Choose a file to upload.'); return; }
      if (!todo.length) return;
      busy = true;
      var failed = false;
      (function next(i) {
        if (i < todo.length) { send(todo[i], function (ok) { failed = failed || !ok; next(i + 1); }); return; }
        busy = false;
        if (!failed && !items.some(function (it) { return it.error; })) { location.reload(); return; }
        var some = items.some(function (it) { return it.done; });
        fieldError(some ? 'Some files were not uploaded; see why below. Reload the page to see the others in the library.' :
          'The files were not uploaded; see why below.');
      })(0);
    });
  }

  // "Add media" opens the file picker of the drop zone.
  on('[data-pick-files]', 'click', function (ev) {
    var input = document.getElementById('f-file');
    if (!input) return;
    ev.preventDefault();
    input.click();
  });

  // Thumbnails open the picture in a dialog.
  on('a[data-preview]', 'click', function (ev, link) {
    var dlg = document.getElementById('media-preview');
    if (!dlg || !dlg.showModal) return; // the link opens the file's page instead
    ev.preventDefault();
    dlg.querySelector('[data-preview-img]').src = link.getAttribute('data-preview');
    dlg.querySelector('[data-preview-img]').alt = link.getAttribute('title') || '';
    dlg.querySelector('[data-preview-name]').textContent = link.getAttribute('title') || '';
    dlg.showModal();
  });

  // Links with data-copy-text copy it (a public link) instead of opening it.
  on('a[data-copy-text]', 'click', function (ev, link) {
    ev.preventDefault();
    var text = link.getAttribute('data-copy-text');
    var label = link.querySelector('.sr-only');
    var before = label ? label.textContent : '';
    var done = function () {
      link.classList.add('copied');
      link.setAttribute('title', 'Copied');
      if (label) label.textContent = 'Copied';
      setTimeout(function () {
        link.classList.remove('copied');
        link.setAttribute('title', before);
        if (label) label.textContent = before;
      }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { window.prompt('Copy the link:', text); });
      return;
    }
    var ta = document.createElement('textarea');
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    var ok = document.execCommand('copy');
    document.body.removeChild(ta);
    if (ok) done(); else window.prompt('Copy the link:', text);
  });

  document.addEventListener('DOMContentLoaded', function () {
    all('[data-refresh]').forEach(liveRefresh);
    all('[data-import-progress]').forEach(pollImport);
    all('[data-tabs]').forEach(setupTabs);
    all('[data-filter-form]').forEach(setupFilter);
    all('form[data-upload]').forEach(setupUpload);
    all('form').forEach(function (f) { if (f.querySelector('[data-perm-summary]')) sumRoles(f); });
  });
})();
