// Herald SMS counter: how a text travels as SMS, computed in the browser as
// the server's internal/sms package does (GSM 03.38 7-bit with its
// extension table, or UCS-2; concatenated segments of 153 septets or 67
// UTF-16 units that never split a character). The browser test compares
// both on a table of texts. Herald.sms.analyze(text) returns
// {encoding, extended, units, segments, perSegment, remaining, nonGSM, label}.
(function () {
  'use strict';
  var H = window.Herald = window.Herald || {};

  // The GSM 03.38 basic table and the characters of its extension table
  // (two septets each: escape, code). ESC itself is not text.
  var BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  var EXTENDED = '\f^{}\\[~]|€';

  var basic = {}, extended = {};
  var i;
  for (i = 0; i < BASIC.length; i++) basic[BASIC.charCodeAt(i)] = true;
  for (i = 0; i < EXTENDED.length; i++) extended[EXTENDED.charCodeAt(i)] = true;

  // Segment sizes.
  var SINGLE_GSM = 160, MULTI_GSM = 153, SINGLE_UCS2 = 70, MULTI_UCS2 = 67;

  // segmenter counts the segments a text takes at a capacity, moving a
  // character whole to the next segment when it does not fit.
  function segmenter(capacity) {
    return {
      capacity: capacity, segments: 0, used: 0,
      add: function (w) {
        if (this.segments === 0 || this.used + w > this.capacity) {
          this.segments++;
          this.used = 0;
        }
        this.used += w;
      }
    };
  }

  // encodingLabel is "7-bit (160)", "7-bit extended (153)", "Unicode (70)"...
  function encodingLabel(info) {
    var name = info.encoding === 'UCS-2' ? 'Unicode' : info.extended ? '7-bit extended' : '7-bit';
    return name + ' (' + info.perSegment + ')';
  }

  // analyze returns how text travels as SMS.
  function analyze(text) {
    var gsm = true, ext = false, septets = 0, units = 0, nonGSM = [];
    var g = segmenter(MULTI_GSM), u = segmenter(MULTI_UCS2);
    for (var k = 0; k < text.length; k++) {
      var cp = text.codePointAt(k);
      var w = cp > 0xFFFF ? 2 : 1;
      if (w === 2) k++;
      units += w;
      u.add(w);
      if (basic[cp]) {
        if (gsm) { septets++; g.add(1); }
      } else if (extended[cp]) {
        if (gsm) { ext = true; septets += 2; g.add(2); }
      } else {
        gsm = false;
        var ch = String.fromCodePoint(cp);
        if (nonGSM.indexOf(ch) < 0) nonGSM.push(ch);
      }
    }
    var info = { encoding: 'GSM-7', extended: ext, units: septets, nonGSM: [] };
    var single = SINGLE_GSM, seg = g;
    if (!gsm) {
      info = { encoding: 'UCS-2', extended: false, units: units, nonGSM: nonGSM };
      single = SINGLE_UCS2;
      seg = u;
    }
    if (info.units === 0) {
      info.segments = 0; info.perSegment = single; info.remaining = single;
    } else if (info.units <= single) {
      info.segments = 1; info.perSegment = single; info.remaining = single - info.units;
    } else {
      info.segments = seg.segments; info.perSegment = seg.capacity; info.remaining = seg.capacity - seg.used;
    }
    info.label = encodingLabel(info) + ' ' + info.units + (info.units === 1 ? ' character / ' : ' characters / ') +
      info.segments + ' SMS';
    return info;
  }

  H.sms = { analyze: analyze };
})();
