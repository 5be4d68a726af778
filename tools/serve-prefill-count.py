#!/usr/bin/python3
"""Prompt tokens our service decodes over `reportgen bench serve`'s request pattern: a 4-client warm-up burst, then levels
of 1, 4, 8 and 16 clients sending one request each, with bench serve's prompts (one shared instruction, 8 findings). Counts
come from /metrics (reportgen_decoded_tokens) and the answers' usage.prompt_tokens_details.cached_tokens, so unlike
timings they do not depend on the machine's load. Seconds are printed for orientation only.

Usage: tools/serve-prefill-count.py <reportgen binary> <model id or GGUF> <SharePromptPrefix: true|false>
"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time, urllib.request
binary, model, share = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = open(os.path.join(root, 'eval/ReportGen.Eval/Bench/ServeBenchmark.cs')).read()
shared = ''.join(json.loads(m) for m in re.findall(r'("(?:[^"\\]|\\.)*")', src[src.index('SharedPrefix ='):src.index('/// <summary>Findings')]))
findings = [json.loads(m) for m in re.findall(r'^\s*("(?:[^"\\]|\\.)*"),$', src[src.index('Findings { get; } ='):src.index('/// <summary>The prompts')], re.M)]
prompts = [shared + "Findings: " + f + "\nImpression:" for f in findings]
assert len(prompts) == 8
data = tempfile.mkdtemp(prefix='reportgen-prefill-')
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
env = dict(os.environ, ReportGen__Llm__Model=model, ReportGen__Llm__Threads='2', ReportGen__Llm__Sequences='8', ReportGen__Llm__ContextSize='8192',
           ReportGen__Llm__SharePromptPrefix=share, ReportGen__ApiKeys__0__Name='m', ReportGen__ApiKeys__0__Key='k' * 32,
           ReportGen__RateLimitPerMinute='1000000', ReportGen__DataDirectory=data, Logging__LogLevel__Default='Warning')
p = subprocess.Popen([binary, 'serve', '--urls', f'http://127.0.0.1:{port}'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f'http://127.0.0.1:{port}'
def get(path):
    r = urllib.request.Request(base + path, headers={'Authorization': 'Bearer ' + 'k' * 32}); return urllib.request.urlopen(r, timeout=600).read().decode()
def metric(name):
    return float(re.search(r'^' + name + r'(?:\{[^}]*\})? ([0-9.e+]+)', get('/metrics'), re.M).group(1))
def chat(prompt, out):
    body = json.dumps({'messages': [{'role': 'user', 'content': prompt}], 'max_tokens': 8, 'temperature': 0, 'ignore_eos': True}).encode()
    r = urllib.request.Request(base + '/v1/chat/completions', body, {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + 'k' * 32})
    out.append(json.loads(urllib.request.urlopen(r, timeout=600).read())['usage'])
def level(n):
    out = []; ts = [threading.Thread(target=chat, args=(prompts[i % 8], out)) for i in range(n)]
    d0 = metric('reportgen_decoded_tokens'); t0 = time.time()
    [t.start() for t in ts]; [t.join() for t in ts]
    d1 = metric('reportgen_decoded_tokens')
    prompt = sum(u['prompt_tokens'] for u in out); cached = sum(u['prompt_tokens_details']['cached_tokens'] for u in out)
    return dict(clients=n, prompt_tokens=prompt, cached=cached, decoded=int(d1 - d0), seconds=round(time.time() - t0, 2))
try:
    for _ in range(600):
        try:
            if urllib.request.urlopen(base + '/health/ready', timeout=5).status == 200: break
        except Exception: time.sleep(0.5)
    for name, n in [('warm-up', 4), ('x1', 1), ('x4', 4), ('x8', 8), ('x16', 16)]:
        print(json.dumps(dict(level=name, share=share, **level(n))), flush=True)
finally:
    p.terminate(); p.wait(); shutil.rmtree(data, ignore_errors=True)
