// Herald message constructor: the preview of how the recipient sees the
// message, a phone screen per channel drawn from the payload (the e-mail's
// preview is the server's rendering, in emaileditor.js). Placeholders are
// shown as written.
(function () {
  'use strict';
  var K = window.Herald.composer;
  var h = K.h, add = K.add;

  // phone draws a phone screen with the sender's name and the messages.
  function phone(app, kids) {
    return h('div', { class: 'c-phone c-phone-' + app }, [
      h('div', { class: 'c-phone-bar' }, [h('span', { class: 'c-phone-avatar', text: app.charAt(0).toUpperCase() }), h('span', { text: 'Your sender ID' })]),
      h('div', { class: 'c-phone-screen', 'data-preview-screen': '' }, kids)
    ]);
  }

  function bubble(text, cls) {
    return text ? h('div', { class: 'c-bubble ' + (cls || ''), text: text }) : null;
  }

  // image draws a picture; one the portal may not load (another site's)
  // shows its address instead.
  function image(url, cls) {
    if (!url) return h('div', { class: 'c-image c-image-empty ' + (cls || '') }, 'Image');
    var box = h('div', { class: 'c-image ' + (cls || '') });
    add(box, h('img', { src: url, alt: '', loading: 'lazy', onerror: function () {
      box.classList.add('c-image-empty');
      box.textContent = url.replace(/^https?:\/\//, '');
    } }));
    return box;
  }

  function file(f) {
    if (!f) return null;
    var name = f.name || (f.url || '').split('/').pop() || 'File';
    return h('div', { class: 'c-bubble c-file' }, [h('span', { class: 'c-file-icon', text: (name.split('.').pop() || '?').slice(0, 4).toUpperCase() }), h('span', { text: name })]);
  }

  function chips(list, cls) {
    if (!list || !list.length) return null;
    return h('div', { class: 'c-chips ' + (cls || '') }, list.map(function (s) {
      return h('span', { class: 'c-chip c-chip-' + (s.type || 'reply'), text: (s.text || '…') });
    }));
  }

  // card draws an RCS rich card.
  function rcsCard(cd, inCarousel) {
    var horizontal = !inCarousel && cd.layout === 'horizontal';
    var media = cd.media && cd.media.url ? image(cd.media.url, 'c-h-' + (cd.media.height || 'medium')) : null;
    var body = h('div', { class: 'c-card-body' }, [
      cd.title ? h('div', { class: 'c-card-title', text: cd.title }) : null,
      cd.text ? h('div', { class: 'c-card-text', text: cd.text }) : null,
      chips(cd.suggestions, 'c-card-chips')
    ]);
    return h('div', { class: 'c-card' + (horizontal ? ' c-card-horizontal c-img-' + (cd.imageAlignment || 'left') : '') + (inCarousel ? ' c-card-small' : '') }, [media, body]);
  }

  K.previews.sms = function (c, p) {
    return phone('sms', [bubble(p.text || 'Your message', 'c-in'), p.text ? h('div', { class: 'c-meta', text: window.Herald.sms.analyze(p.text).label }) : null]);
  };

  K.previews.rcs = function (c, p) {
    var kids = [];
    if (p.card) kids.push(rcsCard(p.card, false));
    if (p.carousel) {
      kids.push(h('div', { class: 'c-carousel', 'data-preview-carousel': '' }, (p.carousel.cards || []).map(function (cd) { return rcsCard(cd, true); })));
    }
    if (p.text) kids.push(bubble(p.text, 'c-in'));
    if (p.file) kids.push(file(p.file));
    kids.push(chips(p.suggestions, 'c-outside'));
    return phone('rcs', kids);
  };

  K.previews.viber = function (c, p) {
    if (p.type === 'file') return phone('viber', [file(p.file)]);
    return phone('viber', [h('div', { class: 'c-bubble c-in c-viber' }, [
      p.type === 'textMediaButton' ? image(p.image && p.image.url) : null,
      h('div', { text: p.text || 'Your message' }),
      p.button ? h('div', { class: 'c-button', text: p.button.text || 'Button' }) : null
    ])]);
  };

  K.previews.whatsapp = function (c, p) {
    var kids = [];
    if (p.text) kids.push(bubble(p.text, 'c-in c-wa'));
    if (p.card) {
      kids.push(h('div', { class: 'c-bubble c-in c-wa' }, [
        p.card.media ? (/\.(jpe?g|png|webp)$/i.test(p.card.media.url || '') ? image(p.card.media.url) : file(p.card.media)) : null,
        p.card.header ? h('div', { class: 'c-card-title', text: p.card.header }) : null,
        h('div', { text: p.card.body || '' }),
        p.card.footer ? h('div', { class: 'c-footer', text: p.card.footer }) : null
      ]));
      (p.card.buttons || []).forEach(function (b) { kids.push(h('div', { class: 'c-wa-button', text: b.title || 'Button' })); });
    }
    if (p.list) {
      kids.push(h('div', { class: 'c-bubble c-in c-wa' }, [
        p.list.header ? h('div', { class: 'c-card-title', text: p.list.header }) : null,
        h('div', { text: p.list.body || '' }),
        p.list.footer ? h('div', { class: 'c-footer', text: p.list.footer }) : null
      ]));
      kids.push(h('div', { class: 'c-wa-button', text: '☰ ' + (p.list.button || 'Options') }));
      (p.list.sections || []).forEach(function (s) {
        kids.push(h('div', { class: 'c-wa-section' }, [s.title ? h('div', { class: 'c-footer', text: s.title }) : null].concat((s.rows || []).map(function (r) {
          return h('div', { class: 'c-wa-row' }, [h('div', { text: r.title || '' }), r.description ? h('div', { class: 'c-footer', text: r.description }) : null]);
        }))));
      });
    }
    if (p.file) kids.push(file(p.file));
    if (p.requestLocation) {
      kids.push(bubble(p.requestLocation.text, 'c-in c-wa'), h('div', { class: 'c-wa-button', text: '📍 Send location' }));
    }
    if (p.location) {
      kids.push(h('div', { class: 'c-bubble c-in c-wa c-location' }, [
        h('div', { class: 'c-map', text: '📍 ' + (p.location.latitude != null ? p.location.latitude + ', ' + p.location.longitude : '') }),
        p.location.name ? h('div', { class: 'c-card-title', text: p.location.name }) : null,
        p.location.address ? h('div', { class: 'c-footer', text: p.location.address }) : null
      ]));
    }
    return phone('whatsapp', kids);
  };

  // notification draws a lock-screen notification.
  function notification(app, p) {
    return h('div', { class: 'c-phone c-lock' }, [h('div', { class: 'c-notification' }, [
      h('div', { class: 'c-notification-app', text: app }),
      p.header ? h('div', { class: 'c-card-title', text: p.header }) : null,
      p.body ? h('div', { text: p.body }) : null,
      p.picture ? image(p.picture) : null
    ])]);
  }

  K.previews.push = function (c, p) { return notification('Push', p); };
  K.previews.mobilepush = function (c, p) { return notification('Your app', p); };

  K.previews.tts = function (c, p) {
    var times = { 1: 'once', 2: 'twice', 3: 'three times' }[p.repeat] || 'once';
    return h('div', { class: 'c-phone c-call' }, [
      h('div', { class: 'c-call-icon', text: '📞' }),
      h('div', { class: 'c-card-title', text: 'Incoming call' }),
      h('div', { class: 'c-footer', text: (p.language === 'es' ? 'Spanish' : 'English') + ' voice, read ' + times }),
      bubble(p.text || 'Your message', 'c-in')
    ]);
  };
})();
