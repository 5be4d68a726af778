// ReportGen sentence auto-completion for a <textarea> or a contenteditable element.
// Plain ES module, no framework. Usage:
//   import { attachCompletion } from './reportgen-complete.js';
//   const completion = attachCompletion(element, { endpoint: 'https://host', apiKey: '...', corpus: 'iu-xray' });
//   completion.detach();
// Ghost text shows the rest of the suggested sentence after the caret: Tab accepts it, Esc dismisses it,
// Ctrl+Right accepts one word. Requests are debounced; a newer keystroke aborts the request in flight.

const SENTENCE_END = /[.!?]["')\]]*\s*$/;

/** Default options; every one can be passed to attachCompletion. */
export const defaults = Object.freeze({
  endpoint: '',             // base URL of the ReportGen service ('' = same origin)
  apiKey: '',               // sent as X-Api-Key
  corpus: null,             // corpus name (null = the service default)
  section: null,            // 'findings' | 'impression' | a function returning one; null = the last heading before the caret
  k: 3,                     // suggestions requested; the best one is shown
  anchors: null,            // array of words, or a function returning one
  debounceMs: 150,
  stream: true,             // use the Server-Sent Events endpoint
  minPrefixChars: 1,        // while typing a sentence, ask once it has this many characters
  onSuggestion: null,       // callback(suggestion|null)
  onError: null,            // callback(error)
  fetch: null,              // fetch implementation (defaults to globalThis.fetch)
});

// A "Findings:" or "Impression:" heading at the start of a line: it names the section, it is not report text.
const HEADING = /(^|\n)[ \t]*(findings|impression)[ \t]*:[ \t]*/gi;

/**
 * Splits the text before the caret into the report so far (complete sentences), the sentence being
 * typed (the prefix) and the section it is in (the last "Findings:"/"Impression:" heading, or null).
 * Headings are left out of the context and the prefix.
 */
export function splitContext(textBeforeCaret) {
  const raw = textBeforeCaret.replace(/\u00a0/g, ' ');
  let section = null;
  for (const m of raw.matchAll(HEADING)) section = m[2].toLowerCase();
  // The heading's line break stays, so the heading still ends the sentence before it.
  const text = raw.replace(HEADING, (_, lead) => lead || '\n');
  // The last sentence end followed by whitespace (or a line break) starts the current sentence.
  let cut = 0;
  const re = /[.!?]["')\]]*\s+|\n+/g;
  let m;
  while ((m = re.exec(text)) !== null) cut = m.index + m[0].length;
  const atSentenceEnd = SENTENCE_END.test(text);
  // A finished last sentence belongs to the context: the next sentence is wanted.
  if (atSentenceEnd) return { context: text.trim(), prefix: '', atSentenceEnd, section };
  return { context: text.slice(0, cut).trim(), prefix: text.slice(cut), atSentenceEnd, section };
}

/** The part of a suggestion after what was typed ('' when it does not continue the prefix). */
export function remainderOf(suggestionText, prefix) {
  if (!prefix) return suggestionText;
  if (suggestionText.toLowerCase().startsWith(prefix.toLowerCase())) return suggestionText.slice(prefix.length);
  // The service may normalise spaces: compare without them.
  const squash = s => s.replace(/\s+/g, ' ').trimStart().toLowerCase();
  return squash(suggestionText).startsWith(squash(prefix)) ? suggestionText.slice(squash(prefix).length) : '';
}

/** Reads Server-Sent Events from a fetch Response, calling onEvent(name, data) for each. */
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let idx;
    while ((idx = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, idx);
      buffer = buffer.slice(idx).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(event, data.join('\n'));
    }
  }
}

/** Attaches completion to an element; returns a controller. */
export function attachCompletion(element, options = {}) {
  const opts = { ...defaults, ...options };
  const isTextarea = element instanceof HTMLTextAreaElement || element instanceof HTMLInputElement;
  const doFetch = opts.fetch || globalThis.fetch.bind(globalThis);
  let timer = 0;
  let controller = null;
  let current = null; // { text, remainder, source }
  let generation = 0;
  let suppressNextInput = false;

  // Screen readers hear suggestions politely, without stealing focus.
  const live = document.createElement('div');
  live.className = 'rg-live';
  live.setAttribute('aria-live', 'polite');
  live.setAttribute('role', 'status');
  Object.assign(live.style, { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' });
  element.insertAdjacentElement('afterend', live);
  element.setAttribute('aria-autocomplete', 'inline');

  const ghost = isTextarea ? textareaGhost(element) : contentEditableGhost(element);

  function textBeforeCaret() {
    if (isTextarea) {
      if (element.selectionStart !== element.selectionEnd) return null;
      return element.value.slice(0, element.selectionStart);
    }
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || !sel.isCollapsed || !element.contains(sel.anchorNode)) return null;
    const range = document.createRange();
    range.selectNodeContents(element);
    range.setEnd(sel.anchorNode, sel.anchorOffset);
    const fragment = range.cloneContents();
    fragment.querySelectorAll('.rg-ghost').forEach(n => n.remove());
    const holder = document.createElement('div');
    holder.appendChild(fragment);
    return innerTextOf(holder);
  }

  function caretAtEndOfLineOrText() {
    if (isTextarea) {
      const after = element.value.slice(element.selectionEnd);
      return after === '' || /^\s*\n/.test(after) || /^\s+$/.test(after);
    }
    return true;
  }

  function show(suggestion, prefix, needsSpace) {
    let remainder = remainderOf(suggestion.text, prefix);
    if (!remainder) { hide(); return; }
    if (needsSpace && !/^\s/.test(remainder)) remainder = ' ' + remainder;
    current = { text: suggestion.text, remainder, source: suggestion.source };
    ghost.render(remainder);
    live.textContent = `Suggestion: ${suggestion.text} Press Tab to accept, Escape to dismiss.`;
    element.dataset.rgSuggestion = suggestion.text;
    opts.onSuggestion?.(current);
  }

  function hide() {
    const had = current !== null;
    current = null;
    ghost.render('');
    delete element.dataset.rgSuggestion;
    if (had) { live.textContent = ''; opts.onSuggestion?.(null); }
  }

  function cancelPending() {
    clearTimeout(timer);
    if (controller) { controller.abort(); controller = null; }
  }

  async function request() {
    cancelPending();
    const before = textBeforeCaret();
    if (before === null || !caretAtEndOfLineOrText()) { hide(); return; }
    const { context, prefix, atSentenceEnd, section } = splitContext(before);
    const typing = prefix.trim().length >= opts.minPrefixChars;
    if (!typing && !atSentenceEnd && before.trim() !== '') { hide(); return; }
    const needsSpace = prefix === '' && before !== '' && !/\s$/.test(before);
    const body = {
      context,
      prefix: prefix.trimStart(),
      k: opts.k,
      anchors: typeof opts.anchors === 'function' ? opts.anchors() : opts.anchors,
      corpus: opts.corpus || undefined,
      section: (typeof opts.section === 'function' ? opts.section() : opts.section) || section || undefined,
    };
    const mine = ++generation;
    controller = new AbortController();
    const headers = { 'Content-Type': 'application/json', Accept: opts.stream ? 'text/event-stream' : 'application/json' };
    if (opts.apiKey) headers['X-Api-Key'] = opts.apiKey;
    const base = opts.endpoint.replace(/\/$/, '');
    const onResult = result => {
      if (mine !== generation) return; // a newer keystroke owns the ghost now
      const best = result?.suggestions?.[0];
      if (best) show(best, body.prefix, needsSpace); else hide();
    };
    try {
      const response = await doFetch(`${base}/v1/reports/complete${opts.stream ? '/stream' : ''}`, {
        method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal,
      });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw Object.assign(new Error(problem.detail || `HTTP ${response.status}`), { status: response.status, problem });
      }
      if (opts.stream && (response.headers.get('Content-Type') || '').includes('text/event-stream')) {
        await readEvents(response, (event, data) => { if (event === 'suggestions') onResult(JSON.parse(data)); });
      } else {
        onResult(await response.json());
      }
    } catch (error) {
      if (error.name === 'AbortError') return;
      if (mine === generation) hide();
      opts.onError?.(error);
    }
  }

  function schedule() {
    cancelPending();
    hide();
    timer = setTimeout(request, opts.debounceMs);
  }

  function insert(text) {
    element.focus();
    // execCommand keeps the browser's undo stack; setRangeText is the fallback.
    const ok = document.execCommand && document.execCommand('insertText', false, text);
    if (!ok && isTextarea) {
      element.setRangeText(text, element.selectionStart, element.selectionEnd, 'end');
      element.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }

  function accept() {
    if (!current) return false;
    const text = current.remainder;
    hide();
    insert(text);
    return true;
  }

  function acceptWord() {
    if (!current) return false;
    const m = current.remainder.match(/^\s*[^\s]+/);
    if (!m) return accept();
    const rest = current.remainder.slice(m[0].length);
    const saved = { ...current };
    // The rest of the ghost stays: this insertion must not start a new request.
    suppressNextInput = true;
    insert(m[0]);
    suppressNextInput = false;
    cancelPending();
    if (rest.trim()) {
      current = { ...saved, remainder: rest };
      ghost.render(rest);
      element.dataset.rgSuggestion = saved.text;
    } else {
      hide();
    }
    return true;
  }

  function onKeyDown(event) {
    if (!current) return;
    if (event.key === 'Tab' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      accept();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancelPending();
      hide();
    } else if (event.key === 'ArrowRight' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      acceptWord();
    }
  }

  function onInput() {
    if (suppressNextInput) { suppressNextInput = false; return; }
    schedule();
  }
  function onBlur() { cancelPending(); hide(); }
  function onClick() { schedule(); }

  element.addEventListener('keydown', onKeyDown);
  element.addEventListener('input', onInput);
  element.addEventListener('blur', onBlur);
  element.addEventListener('click', onClick);

  return {
    /** Asks for a suggestion now (no debounce). */
    request,
    /** Inserts the whole ghost text; false when none is shown. */
    accept,
    /** Inserts the next word of the ghost text. */
    acceptWord,
    /** Removes the ghost text. */
    dismiss: () => { cancelPending(); hide(); },
    /** The suggestion shown, or null. */
    get suggestion() { return current; },
    /** Changes options (endpoint, apiKey, corpus, ...). */
    configure(more) { Object.assign(opts, more); },
    /** Removes listeners and added elements. */
    detach() {
      cancelPending(); hide();
      element.removeEventListener('keydown', onKeyDown);
      element.removeEventListener('input', onInput);
      element.removeEventListener('blur', onBlur);
      element.removeEventListener('click', onClick);
      ghost.destroy();
      live.remove();
      element.removeAttribute('aria-autocomplete');
    },
  };
}

function innerTextOf(node) {
  // Block elements (div/p/br) become line breaks, as the user sees them.
  let out = '';
  node.childNodes.forEach(child => {
    if (child.nodeType === Node.TEXT_NODE) out += child.nodeValue;
    else if (child.nodeName === 'BR') out += '\n';
    else if (child.nodeType === Node.ELEMENT_NODE) {
      const block = /^(DIV|P|LI)$/.test(child.nodeName);
      if (block && out && !out.endsWith('\n')) out += '\n';
      out += innerTextOf(child);
    }
  });
  return out;
}

// A textarea cannot hold styled text: a mirror element behind it draws the typed text invisibly and
// the ghost in grey at the caret position.
function textareaGhost(textarea) {
  const mirror = document.createElement('div');
  mirror.className = 'rg-mirror';
  mirror.setAttribute('aria-hidden', 'true');
  const span = document.createElement('span');
  span.className = 'rg-ghost';
  const copied = ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'letterSpacing', 'lineHeight', 'textTransform', 'wordSpacing',
    'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft', 'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth',
    'boxSizing', 'textIndent', 'tabSize'];
  function place() {
    const cs = getComputedStyle(textarea);
    for (const p of copied) mirror.style[p] = cs[p];
    Object.assign(mirror.style, {
      position: 'absolute', whiteSpace: 'pre-wrap', overflowWrap: 'break-word', overflow: 'hidden', pointerEvents: 'none',
      color: 'transparent', borderStyle: 'solid', borderColor: 'transparent', background: 'transparent', zIndex: '1',
      left: `${textarea.offsetLeft}px`, top: `${textarea.offsetTop}px`, width: `${textarea.offsetWidth}px`, height: `${textarea.offsetHeight}px`,
    });
    mirror.scrollTop = textarea.scrollTop;
  }
  if (getComputedStyle(textarea.parentElement).position === 'static') textarea.parentElement.style.position = 'relative';
  textarea.insertAdjacentElement('afterend', mirror);
  const onScroll = () => { mirror.scrollTop = textarea.scrollTop; };
  textarea.addEventListener('scroll', onScroll);
  return {
    render(text) {
      if (!text) { mirror.style.display = 'none'; span.textContent = ''; return; }
      mirror.style.display = 'block';
      place();
      mirror.textContent = textarea.value.slice(0, textarea.selectionStart);
      span.textContent = text;
      span.style.color = 'GrayText';
      mirror.appendChild(span);
      mirror.scrollTop = textarea.scrollTop;
    },
    destroy() { textarea.removeEventListener('scroll', onScroll); mirror.remove(); },
  };
}

// In a contenteditable the ghost is a non-editable span at the caret, removed before any text is read.
function contentEditableGhost(element) {
  const span = document.createElement('span');
  span.className = 'rg-ghost';
  span.contentEditable = 'false';
  span.setAttribute('aria-hidden', 'true');
  span.style.color = 'GrayText';
  span.style.pointerEvents = 'none';
  return {
    render(text) {
      if (!text) { span.remove(); span.textContent = ''; return; }
      span.textContent = text;
      const sel = window.getSelection();
      if (!sel || sel.rangeCount === 0) return;
      const range = sel.getRangeAt(0).cloneRange();
      range.collapse(true);
      range.insertNode(span);
      // Keep the caret before the ghost.
      const caret = document.createRange();
      caret.setStartBefore(span);
      caret.collapse(true);
      sel.removeAllRanges();
      sel.addRange(caret);
    },
    destroy() { span.remove(); },
  };
}
