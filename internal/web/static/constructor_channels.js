// Herald message constructor: the forms of SMS, RCS, Viber, WhatsApp free
// messages, Push, TTS and Mobile Push (reference 001 sections 7.4.1 to
// 7.4.8). Each builds the payload the server's internal/content package
// decodes; the limits shown in counters are the server's.
(function () {
  'use strict';
  var K = window.Herald.composer;
  var h = K.h, sub = K.sub;

  // switchForm makes form the payload's one form: the other forms' keys
  // are kept aside, in case the user comes back to them.
  function switchForm(c, forms, form, make) {
    var p = c.payload;
    Object.keys(forms).forEach(function (f) {
      forms[f].forEach(function (key) {
        if (forms[form].indexOf(key) >= 0 || p[key] === undefined) return;
        c.stash[c.channel + '.' + key] = p[key];
        delete p[key];
      });
    });
    p.type = form;
    forms[form].forEach(function (key) {
      if (p[key] === undefined) p[key] = c.stash[c.channel + '.' + key] !== undefined ? c.stash[c.channel + '.' + key] : make(key);
    });
    c.render();
  }

  // ---- SMS (7.4.1)

  K.channels.sms = {
    defaults: function () { return { text: '' }; },
    form: function (c) {
      var info = h('p', { class: 'help c-sms-count', 'data-sms-count': '' });
      var server = h('p', { class: 'help c-sms-server', 'data-sms-server': '' });
      var unicode = h('p', { class: 'help c-sms-unicode', 'data-sms-unicode': '' });
      var update = function () {
        var a = window.Herald.sms.analyze(c.get('text') || '');
        info.textContent = a.label;
        unicode.textContent = a.nonGSM.length ? 'Characters that need Unicode: ' + a.nonGSM.join(' ') : '';
        server.textContent = '';
      };
      var f = c.field('text', { label: 'Text', multiline: true, rows: 6, attrs: true, req: true, after: [info, unicode, server],
        help: 'Concatenated messages are supported: a long text is sent in several parts and joined on the phone.' });
      f.querySelector('textarea').addEventListener('input', update);
      // The server counts too (internal/sms): its answer is kept, and shown
      // when it differs.
      c.root.addEventListener('constructor:checked', function (ev) {
        var s = ev.detail && ev.detail.sms;
        if (!s || !server.isConnected) return;
        server.setAttribute('data-label', s.label);
        server.textContent = s.label !== info.textContent ? 'Server: ' + s.label : '';
      });
      update();
      return f;
    }
  };

  // ---- RCS (7.4.2)

  var rcsForms = { card: ['card'], carousel: ['carousel'], text: ['text'], file: ['file'] };

  function rcsMake(key) {
    switch (key) {
      case 'card': return { layout: 'vertical', title: '', text: '' };
      case 'carousel': return { width: 'medium', cards: [card(), card()] };
      case 'file': return { url: '' };
    }
    return '';
  }

  function card() { return { title: '', text: '', media: { url: '', height: 'medium' } }; }

  K.channels.rcs = {
    defaults: function () { return { type: 'card', card: rcsMake('card') }; },
    form: function (c) {
      var p = c.payload;
      var type = p.type || (p.card ? 'card' : p.carousel ? 'carousel' : p.file ? 'file' : 'text');
      p.type = type;
      var out = [c.choice('Message type', type, [['card', 'Rich Card'], ['carousel', 'Carousel'], ['text', 'Text'], ['file', 'File']],
        function (t) { switchForm(c, rcsForms, t, rcsMake); }, 'type')];
      switch (type) {
        case 'text':
          out.push(c.field('text', { label: 'Text', multiline: true, rows: 6, attrs: true, req: true, max: 3072 }));
          break;
        case 'card':
          out.push(richCard(c, 'card', false));
          break;
        case 'carousel':
          out.push(c.group('carousel', null, [
            c.selectField('carousel.width', { label: 'Card width', options: [['medium', 'Medium'], ['small', 'Small']], def: 'medium' }),
            c.list('carousel.cards', {
              title: 'Cards', max: 12, addLabel: 'Add card', make: card,
              itemTitle: function (i) { return 'Card ' + (i + 1) + (c.get('carousel.cards[' + i + '].title') ? ': ' + c.get('carousel.cards[' + i + '].title') : ''); },
              item: function (path) { return richCardFields(c, path, true); }
            })
          ]));
          break;
        case 'file':
          out.push(c.group('file', null, [
            c.mediaField({ label: 'File address', url: 'file.url', name: 'file.name', size: 'file.size', req: true }),
            c.field('file.name', { label: 'File name', help: 'What the recipient sees; the address\'s name when empty.' })
          ]));
          break;
      }
      out.push(suggestions(c, 'suggestions', 11, 'Actions and replies below the message'));
      return out;
    }
  };

  // richCard draws a rich card: layout, media, title, text and the card's
  // suggestions.
  function richCard(c, path, inCarousel) {
    var layout = c.get(sub(path, 'layout')) || 'vertical';
    var kids = [];
    if (!inCarousel) {
      kids.push(c.choice('Layout', layout, [['vertical', 'Vertical'], ['horizontal', 'Horizontal']], function (l) {
        var cd = c.get(path);
        cd.layout = l;
        if (l === 'horizontal') {
          if (cd.media) delete cd.media.height;
          cd.imageAlignment = cd.imageAlignment || 'left';
        } else {
          delete cd.imageAlignment;
        }
        c.render();
      }, sub(path, 'layout')));
      if (layout === 'horizontal') {
        kids.push(c.selectField(sub(path, 'imageAlignment'), { label: 'Image position', options: [['left', 'Left'], ['right', 'Right']], def: 'left' }));
      }
    }
    return c.group(path, null, kids.concat(richCardFields(c, path, inCarousel)), 'c-cardform');
  }

  // richCardFields are a card's media, title, text and suggestions.
  function richCardFields(c, path, inCarousel) {
    var horizontal = c.get(sub(path, 'layout')) === 'horizontal';
    var media = sub(path, 'media');
    var out = [c.mediaField({ label: 'Image or video', url: sub(media, 'url'), kind: 'image',
      help: inCarousel ? 'Shown above the title; a card needs no image.' : 'Upload or pick from the media library, or give an address.' })];
    if (!horizontal) {
      out.push(c.selectField(sub(media, 'height'), { label: 'Image height', options: [['medium', 'Medium'], ['short', 'Short'], ['tall', 'Tall']], def: 'medium' }));
    }
    out.push(
      c.field(sub(path, 'title'), { label: 'Title', max: 200, attrs: true }),
      c.field(sub(path, 'text'), { label: 'Text', max: 2000, attrs: true, multiline: true, rows: 4 }),
      suggestions(c, sub(path, 'suggestions'), 4, 'Actions and replies in the card'));
    return out;
  }

  // The suggestion types (7.4.2.2 and 7.4.2.3).
  var suggestionTypes = [['reply', 'Reply'], ['url', 'URL action'], ['dial', 'Dialer action'], ['map', 'Map action: show location'],
    ['location', 'Map action: request location push'], ['calendar', 'Calendar action']];

  // suggestions draws a suggestion panel of at most max items.
  function suggestions(c, path, max, title) {
    return c.list(path, {
      title: title, max: max, addLabel: 'Add suggestion', open: true,
      make: function () { return { type: 'reply', text: '' }; },
      itemTitle: function (i) {
        var s = c.get(sub(path, i)) || {};
        return (s.text || 'Suggestion ' + (i + 1)) + ' · ' + label(suggestionTypes, s.type);
      },
      item: function (ip) { return suggestion(c, ip); }
    });
  }

  function label(pairs, v) {
    for (var i = 0; i < pairs.length; i++) if (pairs[i][0] === v) return pairs[i][1];
    return v || '';
  }

  // suggestion draws one suggestion's fields by type.
  function suggestion(c, path) {
    var s = c.get(path);
    var out = [
      c.field(sub(path, 'text'), { label: 'Text (call to action)', max: 25, attrs: true, req: true }),
      c.selectField(sub(path, 'type'), {
        label: 'Suggestion type', options: suggestionTypes,
        onchange: function (t) {
          // Each type has its own fields: the server refuses the others.
          Object.keys(s).forEach(function (k) { if (k !== 'type' && k !== 'text') delete s[k]; });
          s.type = t;
          if (t === 'dial') s.call = 'phone';
          c.render();
        }
      })
    ];
    var f = function (key, opts) { return c.field(sub(path, key), opts); };
    switch (s.type) {
      case 'reply':
        out.push(f('postback', { label: 'Postback data', help: 'Sent back with the reply; the text when empty.' }));
        break;
      case 'url':
        out.push(f('url', { label: 'URL', req: true, attrs: true, placeholder: 'https://', help: 'Opens in the browser; must start with http:// or https://.' }));
        break;
      case 'dial':
        out.push(
          c.selectField(sub(path, 'call'), { label: 'Action type', options: [['phone', 'Dial phone number'], ['enriched', 'Dial enriched call'], ['video', 'Dial video call']], def: 'phone',
            help: 'Enriched and video calls are not supported by Google.' }),
          f('phone', { label: 'Phone number', req: true, attrs: true, placeholder: '+34911234567' }),
          f('fallbackUrl', { label: 'Fallback URL', help: 'Another app when the default one cannot do it.' }));
        break;
      case 'map':
        var byQuery = s._mode === 'query' || (s.query !== undefined && s.latitude === undefined && s.longitude === undefined);
        out.push(c.choice('Show location', byQuery ? 'query' : 'coordinates', [['coordinates', 'By coordinates'], ['query', 'By request']], function (m) {
          delete s.latitude; delete s.longitude; delete s.query;
          s._mode = m;
          c.render();
        }));
        if (byQuery) {
          out.push(f('query', { label: 'Query', req: true, attrs: true, placeholder: 'shoe shop near me' }));
        } else {
          out.push(h('div', { class: 'grid-2' }, [
            f('latitude', { label: 'Latitude', type: 'number', req: true, inputmode: 'decimal', placeholder: '40.4168' }),
            f('longitude', { label: 'Longitude', type: 'number', req: true, inputmode: 'decimal', placeholder: '-3.7038' })
          ]));
        }
        out.push(f('label', { label: 'Map title', max: 100 }), f('fallbackUrl', { label: 'Fallback URL' }));
        break;
      case 'calendar':
        out.push(h('div', { class: 'grid-2' }, [
          f('start', { label: 'Start time', type: 'datetime', req: true, input: h('input', { type: 'datetime-local' }) }),
          f('end', { label: 'End time', type: 'datetime', req: true, input: h('input', { type: 'datetime-local' }) })
        ]), f('title', { label: 'Event title', max: 100, req: true, attrs: true }),
        f('description', { label: 'Description', max: 500, multiline: true, rows: 2, attrs: true }),
        f('fallbackUrl', { label: 'Fallback URL' }));
        break;
    }
    return out;
  }

  // ---- Viber (7.4.3)

  var viberForms = { text: ['text'], file: ['file'], textButton: ['text', 'button'], textMediaButton: ['text', 'image', 'button'] };

  function viberMake(key) {
    if (key === 'text') return '';
    if (key === 'button') return { text: '', url: '' };
    return { url: '' };
  }

  K.channels.viber = {
    defaults: function () { return { type: 'text', text: '' }; },
    form: function (c) {
      var t = c.payload.type || 'text';
      c.payload.type = t;
      var out = [c.choice('Message type', t, [['text', 'Text only'], ['file', 'File'], ['textButton', 'Text + Button'], ['textMediaButton', 'Text + Media + Button']],
        function (v) { switchForm(c, viberForms, v, viberMake); }, 'type')];
      if (t === 'file') {
        out.push(c.group('file', null, [
          c.mediaField({ label: 'File', url: 'file.url', name: 'file.name', size: 'file.size', req: true,
            help: 'Images, video (.mp4) and documents such as .pdf, .docx, .xlsx, up to 200 MB.' }),
          c.field('file.name', { label: 'File name', help: 'With its extension, which gives the format.' })
        ]));
        return out;
      }
      if (t === 'textMediaButton') {
        out.push(c.group('image', null, [c.mediaField({ label: 'Image', url: 'image.url', name: 'image.name', size: 'image.size', kind: 'image', req: true, help: 'JPG, JPEG or PNG.' })]));
      }
      out.push(c.field('text', { label: 'Text', multiline: true, rows: 5, attrs: true, req: true, max: 1000 }));
      if (t === 'textButton' || t === 'textMediaButton') {
        out.push(c.group('button', 'Button', [
          c.field('button.text', { label: 'Button text', req: true, max: 30, attrs: true }),
          c.field('button.url', { label: 'Button URL', req: true, attrs: true, placeholder: 'https://' })
        ]));
      }
      return out;
    }
  };

  // ---- WhatsApp free messages (7.4.4.1)

  var waForms = { card: ['card'], list: ['list'], text: ['text'], file: ['file'], requestLocation: ['requestLocation'], location: ['location'] };

  function waMake(key) {
    switch (key) {
      case 'card': return { body: '', buttons: [] };
      case 'list': return { body: '', button: '', sections: [{ title: '', rows: [{ title: '' }] }] };
      case 'file': return { url: '' };
      case 'requestLocation': return { text: '' };
      case 'location': return {};
    }
    return '';
  }

  K.channels.whatsapp = {
    defaults: function () { return { type: 'text', text: '' }; },
    form: function (c) {
      var t = c.payload.type || 'text';
      c.payload.type = t;
      var out = [c.choice('Message type', t, [['card', 'Card'], ['list', 'List message'], ['text', 'Text'], ['file', 'File'],
        ['requestLocation', 'Request location'], ['location', 'Send location']], function (v) { switchForm(c, waForms, v, waMake); }, 'type')];
      switch (t) {
        case 'text':
          out.push(c.field('text', { label: 'Text', multiline: true, rows: 6, attrs: true, req: true, max: 4096 }));
          break;
        case 'card':
          out.push(c.group('card', null, [
            c.mediaField({ label: 'Media', url: 'card.media.url', name: 'card.media.name', size: 'card.media.size',
              help: 'An image, a video or a document; a card has media or a header text.' }),
            c.field('card.header', { label: 'Header', max: 20, attrs: true }),
            c.field('card.body', { label: 'Message text', max: 1024, multiline: true, rows: 5, attrs: true, req: true }),
            c.field('card.footer', { label: 'Footer', max: 60, attrs: true }),
            c.list('card.buttons', { title: 'Reply buttons', max: 3, addLabel: 'Add button', make: function () { return { title: '' }; },
              itemTitle: function (i) { return c.get('card.buttons[' + i + '].title') || 'Button ' + (i + 1); },
              item: function (p) { return [c.field(sub(p, 'title'), { label: 'Button text', max: 20, req: true, attrs: true })]; } })
          ]));
          break;
        case 'list':
          out.push(waList(c));
          break;
        case 'file':
          out.push(c.group('file', null, [
            c.mediaField({ label: 'File', url: 'file.url', name: 'file.name', size: 'file.size', req: true,
              help: 'Images JPG, PNG, WEBP; audio OGG, AMR, 3GP, AAC, MPEG; documents PDF, DOC, DOCX, PPTX, XLSX; video MP4.' }),
            c.field('file.name', { label: 'File name' })
          ]));
          break;
        case 'requestLocation':
          out.push(c.group('requestLocation', null, [
            c.field('requestLocation.text', { label: 'Message text', multiline: true, rows: 3, attrs: true, req: true, max: 1024 })
          ]));
          break;
        case 'location':
          out.push(c.group('location', null, [
            h('div', { class: 'grid-2' }, [
              c.field('location.latitude', { label: 'Latitude', type: 'number', req: true, inputmode: 'decimal', placeholder: '40.4168' }),
              c.field('location.longitude', { label: 'Longitude', type: 'number', req: true, inputmode: 'decimal', placeholder: '-3.7038' })
            ]),
            c.field('location.name', { label: 'Name', attrs: true }),
            c.field('location.address', { label: 'Address', attrs: true })
          ]));
          break;
      }
      return out;
    }
  };

  // waList draws a list message: texts, the list button and its sections
  // of options (at most 10 options in all).
  function waList(c) {
    var rows = function () {
      return (c.get('list.sections') || []).reduce(function (n, s) { return n + ((s && s.rows) || []).length; }, 0);
    };
    return c.group('list', null, [
      c.field('list.header', { label: 'Header', max: 60, attrs: true }),
      c.field('list.body', { label: 'Message text', max: 4096, multiline: true, rows: 4, attrs: true, req: true }),
      c.field('list.footer', { label: 'Footer', max: 60, attrs: true }),
      c.field('list.button', { label: 'List button text', max: 20, req: true, attrs: true, help: 'The button that opens the list of options.' }),
      c.list('list.sections', {
        title: 'Sections', max: 10, addLabel: 'Add section', make: function () { return { title: '', rows: [{ title: '' }] }; },
        itemTitle: function (i) { return c.get('list.sections[' + i + '].title') || 'Section ' + (i + 1); },
        item: function (sp) {
          return [
            c.field(sub(sp, 'title'), { label: 'Section header', max: 24, attrs: true, help: 'Required when the list has several sections.' }),
            c.list(sub(sp, 'rows'), {
              title: 'Options', max: 10, count: rows, addLabel: 'Add option', make: function () { return { title: '' }; },
              itemTitle: function (i) { return c.get(sub(sub(sp, 'rows'), i) + '.title') || 'Option ' + (i + 1); },
              item: function (rp) {
                return [c.field(sub(rp, 'title'), { label: 'Option title', max: 24, req: true, attrs: true }),
                  c.field(sub(rp, 'description'), { label: 'Description', max: 72, attrs: true })];
              }
            })
          ];
        }
      })
    ]);
  }

  // ---- Push, TTS and Mobile Push (7.4.6 to 7.4.8)

  K.channels.push = {
    defaults: function () { return { header: '', body: '' }; },
    form: function (c) {
      return [
        c.mediaField({ label: 'Picture', url: 'picture', kind: 'image' }),
        c.field('header', { label: 'Header', attrs: true }),
        c.field('body', { label: 'Message text', multiline: true, rows: 4, attrs: true }),
        h('p', { class: 'help', text: 'Give at least one of picture, header and text. Push has no delivery report: wait for Submit.' })
      ];
    }
  };

  K.channels.tts = {
    defaults: function () { return { language: 'en', repeat: 1, text: '' }; },
    form: function (c) {
      return [
        h('div', { class: 'grid-2' }, [
          c.selectField('language', { label: 'Language', options: [['en', 'English'], ['es', 'Spanish']], def: 'en',
            help: 'Write the text in this language.' }),
          c.selectField('repeat', { label: 'Repeat', type: 'int', options: [['1', 'Once'], ['2', 'Twice'], ['3', 'Three times']], def: 1 })
        ]),
        c.field('text', { label: 'Text', multiline: true, rows: 5, attrs: true, req: true, max: 1500 })
      ];
    }
  };

  K.channels.mobilepush = {
    defaults: function () { return { header: '', body: '' }; },
    form: function (c) {
      return [
        c.field('header', { label: 'Header', attrs: true, req: true }),
        c.field('body', { label: 'Message text', multiline: true, rows: 4, attrs: true, req: true })
      ];
    }
  };
})();
