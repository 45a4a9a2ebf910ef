// Sender ID pages: the registration form's live preview and its "Add
// extra" rows. The pages work without it: the preview is drawn by the
// server when the page loads, and every row is shown.
(function () {
  'use strict';

  function all(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }

  function value(form, name) {
    var el = form.elements[name];
    return el && !el.disabled ? String(el.value || '').trim() : '';
  }

  // The rows of a contact list that have something in them.
  function rows(form, list) {
    var out = [];
    for (var i = 0; i < 2; i++) {
      var v = value(form, list + '[' + i + '].value'), l = value(form, list + '[' + i + '].label');
      if (v || l) out.push({ value: v, label: l });
    }
    return out;
  }

  // drawImage shows the chosen image (or its name) in its preview box.
  function drawImage(box, select) {
    var opt = select.options[select.selectedIndex];
    var img = box.querySelector('img');
    var name = box.querySelector('.pv-img-name');
    var url = opt ? opt.getAttribute('data-url') : '';
    if (url) {
      if (!img) { img = document.createElement('img'); box.appendChild(img); }
      img.src = url;
      img.alt = opt.getAttribute('data-name') || '';
      img.hidden = false;
      if (name) name.hidden = true;
      return;
    }
    if (img) img.hidden = true;
    if (name) {
      name.hidden = false;
      name.textContent = opt && opt.value ? opt.getAttribute('data-name') || opt.textContent : (select.name === 'logoMediaId' ? 'Logo' : 'Background image');
    }
  }

  function update(form, pv) {
    all('[data-pv]', pv).forEach(function (el) {
      el.textContent = value(form, el.getAttribute('data-pv')) || el.getAttribute('data-empty') || '';
    });
    var color = value(form, 'color');
    if (/^#[0-9a-fA-F]{6}$/.test(color)) {
      all('[data-pv-fill]', pv).forEach(function (el) { el.setAttribute('fill', color); });
    }
    all('[data-pv-img]', pv).forEach(function (box) {
      var select = form.elements[box.getAttribute('data-pv-img')];
      if (select) drawImage(box, select);
    });
    all('[data-pv-list]', pv).forEach(function (ul) {
      ul.textContent = '';
      rows(form, ul.getAttribute('data-pv-list')).forEach(function (r) {
        var li = document.createElement('li');
        var b = document.createElement('b');
        var s = document.createElement('span');
        b.textContent = r.label || ul.getAttribute('data-kind');
        s.textContent = r.value;
        li.appendChild(b);
        li.appendChild(s);
        ul.appendChild(li);
      });
    });
    all('[data-pv-link]', pv).forEach(function (el) { el.hidden = !value(form, el.getAttribute('data-pv-link')); });
  }

  function setup(form) {
    var pv = document.querySelector('[data-sender-preview]');
    if (!pv) return;
    var redraw = function () { update(form, pv); };
    form.addEventListener('input', redraw);
    form.addEventListener('change', redraw);
  }

  // "Add extra phone number" and its kind show the list's second row.
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('[data-add-row]');
    if (!btn) return;
    var row = document.getElementById(btn.getAttribute('data-add-row'));
    row.classList.add('open');
    var input = row.querySelector('input');
    if (input) input.focus();
  });

  document.addEventListener('DOMContentLoaded', function () {
    all('form[data-sender-form]').forEach(setup);
  });
})();
