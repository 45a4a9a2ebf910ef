// Herald e-mail block editor (reference 001 section 7.4.5.1): the subject,
// and the body as blocks (text, image, button, social, divider, spacer,
// wrapper, columns) that the user adds, moves, removes and edits, with the
// e-mail as the server renders it in the preview frame. The blocks are the
// payload's "blocks" (internal/emailblocks); an e-mail given as HTML is
// edited as HTML.
(function () {
  'use strict';
  var K = window.Herald.composer;
  var h = K.h, sub = K.sub;

  // Which blocks a list may hold: the body every type, a wrapper all but
  // wrappers, a column content blocks only.
  var content = [['text', 'Text'], ['image', 'Image'], ['button', 'Button'], ['social', 'Social'], ['divider', 'Divider'], ['spacer', 'Spacer']];
  var levels = {
    top: content.concat([['wrapper', 'Wrapper'], ['columns2', '2 columns'], ['columns3', '3 columns']]),
    wrapper: content.concat([['columns2', '2 columns'], ['columns3', '3 columns']]),
    column: content
  };

  function newBlock(kind) {
    switch (kind) {
      case 'text': return { type: 'text', html: '<p>Your text</p>' };
      case 'image': return { type: 'image', src: '', alt: '' };
      case 'button': return { type: 'button', text: 'Button', url: 'https://' };
      case 'social': return { type: 'social', links: [{ network: 'facebook', url: 'https://facebook.com/' }] };
      case 'divider': return { type: 'divider' };
      case 'spacer': return { type: 'spacer', height: 24 };
      case 'wrapper': return { type: 'wrapper', padding: 24, background: '#f4f4f4', blocks: [newBlock('text')] };
      case 'columns2': return { type: 'columns', columns: [{ blocks: [newBlock('text')] }, { blocks: [newBlock('text')] }] };
      case 'columns3': return { type: 'columns', columns: [{ blocks: [newBlock('text')] }, { blocks: [newBlock('text')] }, { blocks: [newBlock('text')] }] };
    }
  }

  var typeNames = { text: 'Text', image: 'Image', button: 'Button', social: 'Social', divider: 'Divider', spacer: 'Spacer', wrapper: 'Wrapper', columns: 'Columns' };

  K.channels.email = {
    defaults: function () { return { subject: '', blocks: [newBlock('text')] }; },
    form: function (c) {
      var p = c.payload;
      var html = p.blocks === undefined && (p.html !== undefined || p.text !== undefined);
      var out = [
        c.field('subject', { label: 'Subject', req: true, attrs: true, max: 998 }),
        c.field('subtitle', { label: 'Subtitle', attrs: true, max: 255, help: 'The preview text inboxes show after the subject.' }),
        c.choice('Body', html ? 'html' : 'blocks', [['blocks', 'Block editor'], ['html', 'HTML']], function (m) {
          var keep = m === 'html' ? ['blocks'] : ['html', 'text'];
          keep.forEach(function (k) { if (p[k] !== undefined) { c.stash['email.' + k] = p[k]; delete p[k]; } });
          if (m === 'html') {
            p.html = c.stash['email.html'] || '';
            p.text = c.stash['email.text'] || '';
          } else {
            p.blocks = c.stash['email.blocks'] || [newBlock('text')];
          }
          c.render();
        })
      ];
      if (html) {
        out.push(c.field('html', { label: 'HTML part', multiline: true, rows: 12, attrs: true }),
          c.field('text', { label: 'Text part', multiline: true, rows: 6, attrs: true, help: 'For mail clients that show no HTML. Give an HTML part, a text part or both.' }));
        return out;
      }
      if (!Array.isArray(p.blocks)) p.blocks = [];
      out.push(h('div', { class: 'c-blocks-head' }, [h('span', { class: 'label', text: 'Blocks' })]), blockList(c, 'blocks', 'top'));
      return out;
    }
  };

  // blockList draws the blocks at path with the palette of the level.
  function blockList(c, path, level) {
    var list = c.get(path) || [];
    var items = list.map(function (b, i) {
      var bp = sub(path, i);
      return h('details', { class: 'c-item c-block c-block-' + b.type, open: true, 'data-path': bp, 'data-block': b.type }, [
        h('summary', {}, [h('span', { text: typeNames[b.type] || b.type }), h('span', { class: 'c-tools' }, [
          c.tool('Move up', '↑', i === 0, function () { move(c, path, i, -1); }),
          c.tool('Move down', '↓', i === list.length - 1, function () { move(c, path, i, 1); }),
          c.tool('Remove block', '✕', false, function () { list.splice(i, 1); c.render(); })
        ])]),
        h('div', { class: 'c-errors' }),
        h('div', { class: 'c-item-body' }, blockFields(c, bp, b))
      ]);
    });
    var palette = h('div', { class: 'c-palette', role: 'group', 'aria-label': 'Add a block' }, [h('span', { class: 'muted', text: 'Add: ' })].concat(
      levels[level].map(function (t) {
        return h('button', { type: 'button', class: 'btn btn-sm', 'data-add-block': t[0], onclick: function () {
          var l = c.get(path);
          if (!Array.isArray(l)) { l = []; K.set(c, path, l); }
          l.push(newBlock(t[0]));
          c.render();
        } }, t[1]);
      })));
    return h('div', { class: 'c-group c-blocks', 'data-path': path }, [h('div', { class: 'c-errors' }), items, palette]);
  }

  function move(c, path, i, d) {
    var list = c.get(path);
    list.splice(i + d, 0, list.splice(i, 1)[0]);
    c.render();
  }

  var aligns = [['', 'Default'], ['left', 'Left'], ['center', 'Center'], ['right', 'Right']];

  // blockFields draws a block's settings by type.
  function blockFields(c, bp, b) {
    var f = function (key, opts) { return c.field(sub(bp, key), opts); };
    switch (b.type) {
      case 'text':
        return [richText(c, sub(bp, 'html')), h('div', { class: 'grid-3' }, [
          c.selectField(sub(bp, 'align'), { label: 'Alignment', options: aligns.concat([['justify', 'Justify']]) }),
          colour(c, sub(bp, 'color'), 'Text colour', '#222222'),
          f('fontSize', { label: 'Font size (px)', type: 'int', inputmode: 'numeric', placeholder: '16' })
        ])];
      case 'image':
        return [c.mediaField({ label: 'Image', url: sub(bp, 'src'), id: sub(bp, 'mediaId'), kind: 'image', req: true }),
          f('alt', { label: 'Alternative text', max: 255, attrs: true, help: 'Read out, or shown when images are blocked.' }),
          f('url', { label: 'Link', placeholder: 'https://', attrs: true }),
          h('div', { class: 'grid-2' }, [
            f('width', { label: 'Width (px)', type: 'int', inputmode: 'numeric', placeholder: 'Full width' }),
            c.selectField(sub(bp, 'align'), { label: 'Alignment', options: aligns })
          ])];
      case 'button':
        return [f('text', { label: 'Button text', req: true, max: 100, attrs: true }),
          f('url', { label: 'Link', req: true, attrs: true, placeholder: 'https://' }),
          h('div', { class: 'grid-2' }, [colour(c, sub(bp, 'background'), 'Button colour', '#1a73e8'), colour(c, sub(bp, 'color'), 'Text colour', '#ffffff')]),
          h('div', { class: 'grid-2' }, [
            f('radius', { label: 'Corner radius (px)', type: 'int', inputmode: 'numeric', placeholder: '4' }),
            c.selectField(sub(bp, 'align'), { label: 'Alignment', options: aligns })
          ])];
      case 'social':
        return [c.list(sub(bp, 'links'), {
          title: 'Links', max: 12, addLabel: 'Add link', open: true,
          make: function () { return { network: 'website', url: 'https://' }; },
          itemTitle: function (i) { return networkLabel(c, (c.get(sub(sub(bp, 'links'), i)) || {}).network); },
          item: function (lp) {
            return [c.selectField(sub(lp, 'network'), { label: 'Network', options: c.networks.map(function (n) { return [n.Key, n.Label]; }) }),
              c.field(sub(lp, 'url'), { label: 'Address', req: true, attrs: true, help: 'E-mail links start with mailto:.' })];
          }
        }), c.selectField(sub(bp, 'align'), { label: 'Alignment', options: aligns })];
      case 'divider':
        return [h('div', { class: 'grid-2' }, [colour(c, sub(bp, 'color'), 'Line colour', '#dddddd'),
          f('thickness', { label: 'Thickness (px)', type: 'int', inputmode: 'numeric', placeholder: '1' })])];
      case 'spacer':
        return [f('height', { label: 'Height (px)', type: 'int', inputmode: 'numeric', placeholder: '24' })];
      case 'wrapper':
        return [h('div', { class: 'grid-2' }, [colour(c, sub(bp, 'background'), 'Background', '#ffffff'),
          f('padding', { label: 'Padding (px)', type: 'int', inputmode: 'numeric', placeholder: '0' })]),
        blockList(c, sub(bp, 'blocks'), 'wrapper')];
      case 'columns':
        return [h('div', { class: 'c-columns' }, (b.columns || []).map(function (col, j) {
          var cp = sub(sub(bp, 'columns'), j);
          return h('div', { class: 'c-column', 'data-path': cp }, [
            h('div', { class: 'c-column-head' }, [h('span', { text: 'Column ' + (j + 1) }),
              b.columns.length > 2 ? c.tool('Remove column', '✕', false, function () { b.columns.splice(j, 1); c.render(); }) : null]),
            blockList(c, sub(cp, 'blocks'), 'column')
          ]);
        })), b.columns && b.columns.length < 3 ? h('button', { type: 'button', class: 'btn btn-sm', onclick: function () {
          b.columns.push({ blocks: [] });
          c.render();
        } }, '+ Add column') : null];
    }
    return [h('p', { class: 'muted', text: 'Unknown block type.' })];
  }

  function networkLabel(c, key) {
    for (var i = 0; i < c.networks.length; i++) if (c.networks[i].Key === key) return c.networks[i].Label;
    return key || 'Link';
  }

  // colour draws a colour field: the value as text (empty for the
  // default) and a colour picker that fills it.
  function colour(c, path, label, def) {
    var f = c.field(path, { label: label, placeholder: def });
    var text = f.querySelector('input');
    var picker = h('input', { type: 'color', class: 'c-swatch', 'aria-label': label + ' picker', value: /^#[0-9a-f]{6}$/i.test(text.value) ? text.value : def });
    picker.addEventListener('input', function () {
      text.value = picker.value;
      text.dispatchEvent(new Event('input', { bubbles: true }));
    });
    var wrap = h('div', { class: 'c-colour' });
    text.parentNode.insertBefore(wrap, text);
    wrap.appendChild(text);
    wrap.appendChild(picker);
    return f;
  }

  // ---- rich text

  // allowed maps the editor's elements to the rich text subset the server
  // takes; other elements keep only their content.
  var allowed = { B: 'b', STRONG: 'b', I: 'i', EM: 'i', U: 'u', S: 's', STRIKE: 's', DEL: 's', A: 'a', P: 'p', DIV: 'p',
    H1: 'h1', H2: 'h2', H3: 'h3', UL: 'ul', OL: 'ol', LI: 'li', BR: 'br' };

  // toHTML writes the editor's content as the server's rich text.
  function toHTML(node) {
    var out = '';
    node.childNodes.forEach(function (n) {
      if (n.nodeType === 3) { out += esc(n.nodeValue); return; }
      if (n.nodeType !== 1) return;
      var tag = allowed[n.tagName];
      var inner = toHTML(n);
      if (!tag) { out += inner; return; }
      if (tag === 'br') { out += '<br>'; return; }
      if (tag === 'p' && n.parentNode !== node) { out += inner + '<br>'; return; }
      if (tag === 'a') {
        var href = n.getAttribute('href') || '';
        out += href ? '<a href="' + esc(href) + '">' + inner + '</a>' : inner;
        return;
      }
      out += '<' + tag + '>' + inner + '</' + tag + '>';
    });
    return out;
  }

  function esc(s) { return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\u00a0/g, ' '); }

  // fromHTML builds the editor's nodes from rich text, inertly (no markup
  // of the text reaches the page unparsed): only the subset's elements and
  // a link's address are kept.
  function fromHTML(html, into) {
    var doc = new DOMParser().parseFromString('<body>' + (html || '') + '</body>', 'text/html');
    var copy = function (from, to) {
      from.childNodes.forEach(function (n) {
        if (n.nodeType === 3) { to.appendChild(document.createTextNode(n.nodeValue)); return; }
        if (n.nodeType !== 1) return;
        var tag = allowed[n.tagName];
        if (!tag) { copy(n, to); return; }
        var el = document.createElement(tag);
        if (tag === 'a' && n.getAttribute('href')) el.setAttribute('href', n.getAttribute('href'));
        to.appendChild(el);
        copy(n, el);
      });
    };
    copy(doc.body, into);
  }

  // richText draws the rich text editor of a text block: a toolbar and an
  // editable area whose content is written to path as rich text.
  function richText(c, path) {
    var area = h('div', { class: 'c-rich', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Text', 'data-bind': path });
    fromHTML(c.get(path), area);
    var sync = function () { K.set(c, path, toHTML(area)); c.changed(); };
    area.addEventListener('input', sync);
    area.addEventListener('paste', function (ev) {
      // Pasted text arrives as text: styles from other pages never enter.
      ev.preventDefault();
      document.execCommand('insertText', false, (ev.clipboardData || window.clipboardData).getData('text/plain'));
    });
    area.addEventListener('focus', function () { document.execCommand('defaultParagraphSeparator', false, 'p'); });
    var saved = null;
    var remember = function () {
      var sel = window.getSelection();
      if (sel.rangeCount && area.contains(sel.anchorNode)) saved = sel.getRangeAt(0).cloneRange();
    };
    area.addEventListener('keyup', remember);
    area.addEventListener('mouseup', remember);
    var restore = function () {
      area.focus();
      if (saved) { var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(saved); }
    };
    var cmd = function (name, arg) {
      return function (ev) {
        ev.preventDefault();
        restore();
        if (name === 'createLink') {
          arg = window.prompt('Link address (https://, mailto: or tel:)', 'https://');
          if (!arg) return;
        }
        document.execCommand(name, false, arg);
        sync();
      };
    };
    var btn = function (label, title, fn) {
      return h('button', { type: 'button', class: 'c-rich-btn', title: title, 'aria-label': title, onmousedown: function (ev) { ev.preventDefault(); }, onclick: fn }, label);
    };
    var attr = h('button', { type: 'button', class: 'c-attr-btn', title: 'Insert an attribute', 'aria-label': 'Insert an attribute', 'data-attr-picker': '',
      onmousedown: function (ev) { ev.preventDefault(); },
      onclick: function (ev) {
        ev.preventDefault();
        c.pickAttribute(ev.currentTarget, function (ph) { restore(); document.execCommand('insertText', false, ph); sync(); });
      } }, '{x}');
    var bar = h('div', { class: 'c-rich-bar', role: 'toolbar', 'aria-label': 'Text formatting' }, [
      btn('B', 'Bold', cmd('bold')), btn('I', 'Italic', cmd('italic')), btn('U', 'Underline', cmd('underline')),
      btn('S', 'Strike-through', cmd('strikeThrough')), btn('H1', 'Heading 1', cmd('formatBlock', 'h1')),
      btn('H2', 'Heading 2', cmd('formatBlock', 'h2')), btn('¶', 'Paragraph', cmd('formatBlock', 'p')),
      btn('•', 'Bulleted list', cmd('insertUnorderedList')), btn('1.', 'Numbered list', cmd('insertOrderedList')),
      btn('Link', 'Link', cmd('createLink')), btn('Unlink', 'Remove link', cmd('unlink')), attr
    ]);
    return h('div', { class: 'field c-field c-rich-field', 'data-path': path }, [
      h('span', { class: 'label', text: 'Text' }), bar, area, h('div', { class: 'c-errors' })
    ]);
  }

  // The e-mail preview is the server's rendering in a frame: the payload
  // is posted to it whenever it changes.
  K.previews.email = function (c, payload) {
    if (!c.emailFrame) {
      var name = c.id + '-email-preview';
      c.emailFrame = h('iframe', { name: name, title: 'E-mail preview', class: 'c-email-frame', sandbox: 'allow-same-origin allow-popups allow-popups-to-escape-sandbox' });
      c.emailPost = h('form', { method: 'post', action: c.urls.emailPreview, target: name, hidden: true }, [h('input', { type: 'hidden', name: 'payload' })]);
      document.body.appendChild(c.emailPost);
      c.emailView = h('div', { class: 'c-email-preview' }, [
        h('div', { class: 'c-email-head' }, [
          h('div', { class: 'c-email-subject', 'data-email-subject': '' }),
          h('div', { class: 'segmented', role: 'group', 'aria-label': 'Screen' }, [['desktop', 'Desktop', '100%'], ['mobile', 'Phone', '375px']].map(function (s) {
            return h('button', { type: 'button', 'aria-pressed': String(s[0] === 'desktop'), onclick: function (ev) {
              c.emailFrame.style.width = s[2];
              ev.currentTarget.parentNode.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', String(b === ev.currentTarget)); });
            } }, s[1]);
          }))
        ]), c.emailFrame
      ]);
    }
    c.emailView.querySelector('[data-email-subject]').textContent = payload.subject || '(no subject)';
    c.emailPost.elements.payload.value = JSON.stringify(payload);
    // The frame must be in the page before the form can target it.
    setTimeout(function () { if (c.emailFrame.isConnected) c.emailPost.submit(); }, 0);
    return c.emailView;
  };

  // set sets a value at a path without reporting a change.
  K.set = function (c, path, v) {
    var parts = K.parsePath(path);
    var o = c.payload;
    for (var i = 0; i < parts.length - 1; i++) {
      if (o[parts[i]] == null) o[parts[i]] = typeof parts[i + 1] === 'number' ? [] : {};
      o = o[parts[i]];
    }
    o[parts[parts.length - 1]] = v;
  };
})();
