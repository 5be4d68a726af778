// Demo page wiring: one completion controller per editor, sharing the connection settings.
import { attachCompletion } from './reportgen-complete.js';

const $ = id => document.getElementById(id);
const status = $('status');
const settings = () => ({
  endpoint: $('endpoint').value.trim(),
  apiKey: $('api-key').value,
  corpus: $('corpus').value.trim() || null,
  anchors: () => $('anchors').value.split(',').map(s => s.trim()).filter(Boolean),
});
const common = {
  ...settings(),
  onSuggestion: s => { status.textContent = s ? `suggestion from ${s.source}` : ''; },
  onError: e => { status.textContent = `error: ${e.message}`; },
};
const editors = [attachCompletion($('report'), common), attachCompletion($('rich'), common)];
for (const id of ['endpoint', 'api-key', 'corpus']) {
  $(id).addEventListener('input', () => editors.forEach(e => e.configure(settings())));
}
window.reportgenEditors = editors;
