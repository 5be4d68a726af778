#!/usr/bin/python3
"""Tiny random-weight vision-language models of real llama.cpp architectures, for tests.

Writes, deterministically (fixed seeds, no timestamps), into OUT (default tests/fixtures/gguf):
  tiny-gemma3.gguf             Gemma 3 text model (arch gemma3), SentencePiece vocab with Gemma's special
                               tokens and a Gemma 3 style chat template
  tiny-gemma3-mmproj.gguf      its mmproj: SigLIP tower + Gemma 3 projector (clip.projector_type gemma3)
  tiny-llava-llama.gguf        LLaMA text model (arch llama), LLaMA-2 style vocab, Vicuna chat template (LLaVA 1.5)
  tiny-llava-mmproj-128.gguf   its mmproj: CLIP ViT tower + LLaVA MLP projector (clip.projector_type mlp)
  tiny-llava-mmproj-64.gguf    the same tower, projecting to 64 (stories260K's embedding size)
  tiny-llava-mmproj-320.gguf   the same tower, projecting to 320 (iu-xray-tiny-llama's embedding size)
  tiny-qwen2vl.gguf            Qwen2-VL text model (arch qwen2vl, M-RoPE sections), byte-level BPE vocab with Qwen's
                               special tokens, Qwen2-VL's ChatML chat template
  tiny-qwen2vl-mmproj.gguf     its mmproj: Qwen2-VL ViT (2-D rotary positions) + patch merger (clip.projector_type
                               qwen2vl_merger); images keep their aspect ratio, so tokens carry (t, h, w) positions

Names and metadata keys are the ones llama.cpp's converters write: convert_hf_to_gguf.py (Gemma3Model,
Gemma3VisionModel via MmprojModel, LlamaModel) for Gemma 3 and the text models, and the LLaVA 1.5 path
tools/mtmd/legacy-models/convert_image_encoder_to_gguf.py for the CLIP/MLP mmproj. Gemma 3 tensor names come
from gguf-py's own HF-name map (gguf.get_tensor_name_map), exactly as the converter maps them.
The weights are random: the models run, they know nothing.

Usage: /usr/bin/python3 tools/vlm-fixtures/make_tiny_vlms.py [--gguf-py DIR] [--out DIR]
  --gguf-py: the gguf-py folder of the pinned llama.cpp source (default: `build/native/provision.sh llama-source`).
Needs numpy only.
"""
import argparse
import hashlib
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def load_gguf(path):
    if path is None:
        src = subprocess.run(["bash", os.path.join(REPO, "build", "native", "provision.sh"), "llama-source"],
                             check=True, capture_output=True, text=True).stdout.strip()
        path = os.path.join(src, "gguf-py")
    sys.path.insert(0, path)
    import gguf  # noqa: E402  (the pinned gguf-py, not whatever is installed)
    return gguf


# ---------------------------------------------------------------- vocabularies

# A few hundred word pieces for radiology text, so prompts tokenise into pieces rather than bytes.
WORDS = ("the of and no is are in with a to or on for normal lung lungs heart size chest clear pleural effusion "
         "pneumothorax consolidation focal airspace disease cardiomediastinal silhouette within limits "
         "opacity opacities right left lower upper lobe bilateral mild moderate severe small large stable "
         "findings impression describe image x ray xray radiograph frontal lateral view there acute "
         "cardiopulmonary process osseous structures intact unremarkable atelectasis edema pulmonary "
         "vascular congestion enlarged cardiomegaly nodule mass fracture rib spine degenerative changes "
         "write report draft patient study compared prior").split()
LETTERS = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;!?-()/'\"")


def spm_pieces():
    """Normal SentencePiece pieces with scores (longer pieces score higher, as in a trained model)."""
    pieces = ["\u2581"] + ["\u2581" + w for w in WORDS] + LETTERS + ["\u2581" + c for c in LETTERS]
    seen, out = set(), []
    for p in pieces:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return [(p, -1000.0 + 10.0 * len(p) - 0.001 * i) for i, p in enumerate(out)]


def gemma_vocab(gguf):
    """Gemma 3's special tokens (the real ids are larger; the names and kinds are the same), bytes, then pieces."""
    T = gguf.TokenType
    tokens = [("<pad>", T.CONTROL), ("<eos>", T.CONTROL), ("<bos>", T.CONTROL), ("<unk>", T.UNKNOWN),
              ("<mask>", T.USER_DEFINED), ("[multimodal]", T.USER_DEFINED),
              ("<start_of_turn>", T.CONTROL), ("<end_of_turn>", T.CONTROL),
              ("<start_of_image>", T.CONTROL), ("<end_of_image>", T.CONTROL), ("<image_soft_token>", T.CONTROL)]
    out = [(t, 0.0, k) for t, k in tokens]
    out += [(f"<0x{b:02X}>", 0.0, T.BYTE) for b in range(256)]
    out += [(p, s, T.NORMAL) for p, s in spm_pieces()]
    return out


def llama_vocab(gguf):
    T = gguf.TokenType
    out = [("<unk>", 0.0, T.UNKNOWN), ("<s>", 0.0, T.CONTROL), ("</s>", 0.0, T.CONTROL)]
    out += [(f"<0x{b:02X}>", 0.0, T.BYTE) for b in range(256)]
    out += [(p, s, T.NORMAL) for p, s in spm_pieces()]
    return out


def add_spm_vocab(w, vocab, bos, eos, unk, pad=None, add_space_prefix=None):
    w.add_tokenizer_model("llama")
    w.add_tokenizer_pre("default")
    w.add_token_list([t for t, _, _ in vocab])
    w.add_token_scores([s for _, s, _ in vocab])
    w.add_token_types([int(k) for _, _, k in vocab])
    if add_space_prefix is not None:
        w.add_add_space_prefix(add_space_prefix)
    w.add_bos_token_id(bos)
    w.add_eos_token_id(eos)
    w.add_unk_token_id(unk)
    if pad is not None:
        w.add_pad_token_id(pad)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)


# Gemma 3's chat template, shortened to what text + image turns need (the released one also raises on bad
# role order): turns are <start_of_turn>user|model ... <end_of_turn>, images are <start_of_image>.
GEMMA3_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}{%- set first_user_prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}"
    "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') }}"
    "{%- if message['content'] is string -%}{{ message['content'] | trim }}"
    "{%- else -%}{%- for item in message['content'] -%}"
    "{%- if item['type'] == 'image' -%}{{ '<start_of_image>' }}"
    "{%- elif item['type'] == 'text' -%}{{ item['text'] | trim }}{%- endif -%}"
    "{%- endfor -%}{%- endif -%}"
    "{{ '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}")

# LLaVA 1.5 (Vicuna v1) conversation format.
VICUNA_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'system' -%}{{ message['content'] + ' ' }}"
    "{%- elif message['role'] == 'user' -%}{{ 'USER: ' + message['content'] + ' ' }}"
    "{%- else -%}{{ 'ASSISTANT: ' + message['content'] + '</s>' }}{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ 'ASSISTANT:' }}{%- endif -%}")


# ---------------------------------------------------------------- weights

class Weights:
    """Deterministic random tensors: one seeded generator per file, drawn in a fixed order."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def mat(self, rows, cols, gain=1.0):
        # HF layout (out_features, in_features); scaled so activations neither vanish nor explode
        return (self.rng.standard_normal((rows, cols)) * gain / np.sqrt(cols)).astype(np.float32)

    def vec(self, n, scale=0.02):
        return (self.rng.standard_normal(n) * scale).astype(np.float32)

    def norm(self, n):
        # near 1; for Gemma this is the stored 1 + w (Gemma3RMSNorm computes x * (1 + w), the converter adds the 1)
        return (1.0 + self.rng.standard_normal(n) * 0.1).astype(np.float32)


def new_writer(gguf, path, arch):
    w = gguf.GGUFWriter(path, arch)
    return w


def new_mmproj_writer(gguf, path, name, n_text, v, n_ff, mean, std):
    """An mmproj writer with the keys MmprojModel.set_gguf_parameters writes for a vision tower, in its order."""
    w = new_writer(gguf, path, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.MMPROJ])
    w.add_type(gguf.GGUFType.MMPROJ)
    w.add_name(name)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_clip_has_vision_encoder(True)
    w.add_vision_projection_dim(n_text)
    w.add_vision_image_size(v["image"])
    w.add_vision_patch_size(v["patch"])
    w.add_vision_embedding_length(v["hidden"])
    w.add_vision_feed_forward_length(n_ff)
    w.add_vision_block_count(v["n_layer"])
    w.add_vision_head_count(v["n_head"])
    w.add_vision_image_mean(mean)
    w.add_vision_image_std(std)
    return w


def add_text_shape(w, c, n_kv):
    """The transformer shape keys every text converter writes (TextModel.set_gguf_parameters), in its order."""
    w.add_block_count(c["n_layer"])
    w.add_context_length(c["ctx"])
    w.add_embedding_length(c["n_embd"])
    w.add_feed_forward_length(c["n_ff"])
    w.add_head_count(c["n_head"])
    w.add_head_count_kv(n_kv)


def finish(w):
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# ---------------------------------------------------------------- Gemma 3

GEMMA = dict(n_embd=64, n_layer=2, n_head=2, n_kv=1, head_dim=32, n_ff=128, ctx=4096, swa=512)
SIGLIP = dict(image=112, patch=14, hidden=32, n_layer=2, n_head=2, n_ff=64, tokens_per_image=16)


def write_gemma3_text(gguf, path):
    c, vocab = GEMMA, gemma_vocab(gguf)
    rng = Weights(3)
    w = new_writer(gguf, path, "gemma3")
    w.add_type(gguf.GGUFType.MODEL)
    w.add_name("Tiny Gemma3 (random weights, ReportGen test fixture)")
    add_text_shape(w, c, c["n_kv"])
    w.add_layer_norm_rms_eps(1e-6)
    w.add_key_length(c["head_dim"])
    w.add_value_length(c["head_dim"])
    w.add_rope_freq_base(1_000_000.0)
    w.add_sliding_window(c["swa"])
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    add_spm_vocab(w, vocab, bos=2, eos=1, unk=3, pad=0, add_space_prefix=False)
    w.add_chat_template(GEMMA3_TEMPLATE)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GEMMA3, c["n_layer"])
    def put(hf, data):
        w.add_tensor(names.get_name(hf, try_suffixes=(".weight",)), data)
    d, hd = c["n_embd"], c["head_dim"]
    # Gemma scales token embeddings by sqrt(n_embd) and ties the output to them: small embeddings keep a random
    # model from echoing its last input token, so the image (and the prompt) change what it generates
    put("model.embed_tokens.weight", (rng.rng.standard_normal((len(vocab), d)) * 0.05).astype(np.float32))
    for i in range(c["n_layer"]):
        p = f"model.layers.{i}."
        put(p + "input_layernorm.weight", rng.norm(d))
        put(p + "self_attn.q_proj.weight", rng.mat(c["n_head"] * hd, d))
        put(p + "self_attn.k_proj.weight", rng.mat(c["n_kv"] * hd, d))
        put(p + "self_attn.v_proj.weight", rng.mat(c["n_kv"] * hd, d))
        put(p + "self_attn.o_proj.weight", rng.mat(d, c["n_head"] * hd, gain=3.0))
        put(p + "self_attn.q_norm.weight", rng.norm(hd))
        put(p + "self_attn.k_norm.weight", rng.norm(hd))
        put(p + "post_attention_layernorm.weight", rng.norm(d))
        put(p + "pre_feedforward_layernorm.weight", rng.norm(d))
        put(p + "mlp.gate_proj.weight", rng.mat(c["n_ff"], d))
        put(p + "mlp.up_proj.weight", rng.mat(c["n_ff"], d))
        put(p + "mlp.down_proj.weight", rng.mat(d, c["n_ff"], gain=3.0))
        put(p + "post_feedforward_layernorm.weight", rng.norm(d))
    put("model.norm.weight", rng.norm(d))
    finish(w)


def write_gemma3_mmproj(gguf, path):
    v, n_text = SIGLIP, GEMMA["n_embd"]
    rng = Weights(4)
    w = new_mmproj_writer(gguf, path, "Tiny Gemma3 mmproj (random weights, ReportGen test fixture)", n_text, v, v["n_ff"],
                          [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    # Gemma3VisionModel.set_gguf_parameters
    w.add_clip_projector_type(gguf.VisionProjectorType.GEMMA3)
    w.add_vision_attention_layernorm_eps(1e-6)
    w.add_vision_use_gelu(True)
    n_per_side = int(v["tokens_per_image"] ** 0.5)
    scale = (v["image"] // v["patch"]) // n_per_side
    if scale > 0 and scale != 4:  # the converter writes it only when it is not the default (as for tinygemma3)
        w.add_vision_projector_scale_factor(scale)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.MMPROJ, v["n_layer"])
    def put(hf, data, dtype=np.float32):
        w.add_tensor(names.get_name(hf, try_suffixes=(".weight", ".bias")), data.astype(dtype))
    h, p = v["hidden"], v["patch"]
    n_pos = (v["image"] // p) ** 2
    t = "vision_tower.vision_model."
    put(t + "embeddings.patch_embedding.weight", rng.rng.standard_normal((h, 3, p, p)).astype(np.float32) / np.sqrt(3 * p * p))
    put(t + "embeddings.patch_embedding.bias", rng.vec(h))
    put(t + "embeddings.position_embedding.weight", rng.rng.standard_normal((n_pos, h)).astype(np.float32) * 0.1)
    for i in range(v["n_layer"]):
        b = f"{t}encoder.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            put(b + f"self_attn.{proj}.weight", rng.mat(h, h))
            put(b + f"self_attn.{proj}.bias", rng.vec(h))
        put(b + "layer_norm1.weight", rng.norm(h))
        put(b + "layer_norm1.bias", rng.vec(h))
        put(b + "mlp.fc1.weight", rng.mat(v["n_ff"], h))
        put(b + "mlp.fc1.bias", rng.vec(v["n_ff"]))
        put(b + "mlp.fc2.weight", rng.mat(h, v["n_ff"]))
        put(b + "mlp.fc2.bias", rng.vec(h))
        put(b + "layer_norm2.weight", rng.norm(h))
        put(b + "layer_norm2.bias", rng.vec(h))
    put(t + "post_layernorm.weight", rng.norm(h))
    put(t + "post_layernorm.bias", rng.vec(h))
    # Gemma3MultiModalProjector: x @ W with W (vision_hidden, text_hidden); the converter forces it to F16
    put("multi_modal_projector.mm_input_projection.weight", rng.rng.standard_normal((h, n_text)) * 2.0 / np.sqrt(h), np.float16)
    put("multi_modal_projector.mm_soft_emb_norm.weight", rng.norm(h))
    finish(w)


# ---------------------------------------------------------------- LLaMA + LLaVA (CLIP + MLP)

LLAMA = dict(n_embd=128, n_layer=2, n_head=4, n_ff=256, ctx=2048)
CLIP = dict(image=56, patch=14, hidden=32, hf_layers=3, n_head=2, n_ff=64, proj=16)


def put_llama_block_rest(put, rng, p, d, n_ff):
    """A LLaMA-style block after its q/k/v projections (LLaMA and Qwen2 alike): attention output, norm, SwiGLU MLP."""
    put(p + "self_attn.o_proj.weight", rng.mat(d, d))
    put(p + "post_attention_layernorm.weight", rng.norm(d))
    put(p + "mlp.gate_proj.weight", rng.mat(n_ff, d))
    put(p + "mlp.up_proj.weight", rng.mat(n_ff, d))
    put(p + "mlp.down_proj.weight", rng.mat(d, n_ff))


def put_llama_head(put, rng, w, d, n_vocab):
    """The final norm and an untied output head, then the file is written."""
    put("model.norm.weight", rng.norm(d))
    put("lm_head.weight", rng.mat(n_vocab, d, gain=4.0))
    finish(w)


def write_llama_text(gguf, path):
    c, vocab = LLAMA, llama_vocab(gguf)
    rng = Weights(5)
    w = new_writer(gguf, path, "llama")
    w.add_type(gguf.GGUFType.MODEL)
    w.add_name("Tiny LLaVA LLaMA (random weights, ReportGen test fixture)")
    w.add_vocab_size(len(vocab))
    add_text_shape(w, c, c["n_head"])
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_rope_dimension_count(c["n_embd"] // c["n_head"])
    add_spm_vocab(w, vocab, bos=1, eos=2, unk=0)
    w.add_chat_template(VICUNA_TEMPLATE)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, c["n_layer"])
    def put(hf, data):
        w.add_tensor(names.get_name(hf, try_suffixes=(".weight",)), data)
    d = c["n_embd"]
    put("model.embed_tokens.weight", (rng.rng.standard_normal((len(vocab), d)) * 0.5).astype(np.float32))
    for i in range(c["n_layer"]):
        p = f"model.layers.{i}."
        put(p + "input_layernorm.weight", rng.norm(d))
        for proj in ("q_proj", "k_proj", "v_proj"):
            put(p + f"self_attn.{proj}.weight", rng.mat(d, d))  # the converter's q/k permutation is moot for random weights
        put_llama_block_rest(put, rng, p, d, c["n_ff"])
    put_llama_head(put, rng, w, d, len(vocab))


def write_llava_mmproj(gguf, path, n_text, seed):
    """As convert_image_encoder_to_gguf.py --llava-projector --use-f32 writes a LLaVA 1.5 mmproj."""
    v = CLIP
    rng = Weights(seed)
    w = new_writer(gguf, path, "clip")
    w.add_bool("clip.has_text_encoder", False)
    w.add_bool("clip.has_vision_encoder", True)
    w.add_bool("clip.has_llava_projector", True)
    w.add_file_type(0)
    w.add_name("Tiny LLaVA CLIP mmproj (random weights, ReportGen test fixture)")
    w.add_description("image encoder for LLaVA")
    w.add_string("clip.projector_type", "mlp")
    w.add_uint32("clip.vision.image_size", v["image"])
    w.add_uint32("clip.vision.patch_size", v["patch"])
    w.add_uint32("clip.vision.embedding_length", v["hidden"])
    w.add_uint32("clip.vision.feed_forward_length", v["n_ff"])
    w.add_uint32("clip.vision.projection_dim", v["proj"])
    w.add_uint32("clip.vision.attention.head_count", v["n_head"])
    w.add_float32("clip.vision.attention.layer_norm_epsilon", 1e-5)
    n_layer = v["hf_layers"] - 1  # LLaVA reads the penultimate layer: the converter drops the last one
    w.add_uint32("clip.vision.block_count", n_layer)
    w.add_array("clip.vision.image_mean", [0.48145466, 0.4578275, 0.40821073])
    w.add_array("clip.vision.image_std", [0.26862954, 0.26130258, 0.27577711])
    w.add_bool("clip.use_gelu", False)  # CLIP's quick_gelu

    h, p = v["hidden"], v["patch"]
    n_pos = (v["image"] // p) ** 2 + 1
    f16 = np.float16
    # projector first, as the converter writes it (2-D weights F16, biases F32)
    w.add_tensor("mm.0.weight", rng.mat(n_text, h, gain=2.0).astype(f16))
    w.add_tensor("mm.0.bias", rng.vec(n_text))
    w.add_tensor("mm.2.weight", rng.mat(n_text, n_text, gain=2.0).astype(f16))
    w.add_tensor("mm.2.bias", rng.vec(n_text))
    w.add_tensor("v.class_embd", rng.vec(h, 0.1))
    w.add_tensor("v.patch_embd.weight", (rng.rng.standard_normal((h, 3, p, p)) / np.sqrt(3 * p * p)).astype(f16))  # 4-D: always F16
    w.add_tensor("v.position_embd.weight", (rng.rng.standard_normal((n_pos, h)) * 0.1).astype(np.float32))
    w.add_tensor("v.pre_ln.weight", rng.norm(h))
    w.add_tensor("v.pre_ln.bias", rng.vec(h))
    for i in range(n_layer):
        b = f"v.blk.{i}."
        for name in ("attn_k", "attn_v", "attn_q", "attn_out"):
            w.add_tensor(b + name + ".weight", rng.mat(h, h))
            w.add_tensor(b + name + ".bias", rng.vec(h))
        w.add_tensor(b + "ln1.weight", rng.norm(h))
        w.add_tensor(b + "ln1.bias", rng.vec(h))
        # CLIP's mlp.fc1 / mlp.fc2 as the legacy converter names them (swapped; clip.cpp swaps them back)
        w.add_tensor(b + "ffn_down.weight", rng.mat(v["n_ff"], h))
        w.add_tensor(b + "ffn_down.bias", rng.vec(v["n_ff"]))
        w.add_tensor(b + "ffn_up.weight", rng.mat(h, v["n_ff"]))
        w.add_tensor(b + "ffn_up.bias", rng.vec(h))
        w.add_tensor(b + "ln2.weight", rng.norm(h))
        w.add_tensor(b + "ln2.bias", rng.vec(h))
    finish(w)


# ---------------------------------------------------------------- Qwen2-VL (M-RoPE)

QWEN = dict(n_embd=64, n_layer=2, n_head=2, n_kv=1, n_ff=128, ctx=4096, sections=[4, 6, 6, 0])
QWEN_VIT = dict(image=560, patch=14, hidden=32, n_layer=2, n_head=2, mlp_ratio=4, merge=2)

# Qwen2-VL's chat template (ChatML, the default system turn, an image as <|vision_start|><|image_pad|><|vision_end|>),
# shortened to the image and text parts.
QWEN2VL_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character table (byte-level BPE, as Qwen's tokenizer uses)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def qwen_vocab(gguf):
    """Byte-level BPE as convert_hf_to_gguf.py's _set_vocab_gpt2 writes it: the 256 byte symbols, merged word pieces
    (" lung" = "Ġlung"), then Qwen's added special tokens. Returns (tokens, types, merges, special ids)."""
    T = gguf.TokenType
    table = bytes_to_unicode()
    tokens = [table[b] for b in range(256)]
    known, merges = set(tokens), []
    for word in WORDS:
        for text in (" " + word, word):
            symbols = [table[b] for b in text.encode("utf-8")]
            piece = symbols[0]
            for sym in symbols[1:]:
                merged = piece + sym
                if merged not in known:
                    known.add(merged)
                    tokens.append(merged)
                    merges.append(f"{piece} {sym}")
                piece = merged
    types = [T.NORMAL] * len(tokens)
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
               "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>",
               "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"]
    ids = {}
    for t in special:
        ids[t] = len(tokens)
        tokens.append(t)
        types.append(T.CONTROL)
    return tokens, types, merges, ids


def write_qwen2vl_text(gguf, path):
    c = QWEN
    tokens, types, merges, ids = qwen_vocab(gguf)
    rng = Weights(9)
    w = new_writer(gguf, path, "qwen2vl")
    w.add_type(gguf.GGUFType.MODEL)
    w.add_name("Tiny Qwen2-VL (random weights, ReportGen test fixture)")
    add_text_shape(w, c, c["n_kv"])
    # TextModel.set_gguf_parameters: rope_scaling {"type": "mrope", "mrope_section": [...]} padded to 4 sections
    w.add_rope_dimension_sections(c["sections"])
    w.add_rope_freq_base(1_000_000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    # _set_vocab_gpt2 + SpecialVocab (config.json: bos 151643 = <|endoftext|>, eos 151645 = <|im_end|>)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types([int(t) for t in types])
    w.add_token_merges(merges)
    w.add_eos_token_id(ids["<|im_end|>"])
    w.add_pad_token_id(ids["<|endoftext|>"])
    w.add_bos_token_id(ids["<|endoftext|>"])
    w.add_add_bos_token(False)
    w.add_chat_template(QWEN2VL_TEMPLATE)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2VL, c["n_layer"])
    def put(hf, data):
        w.add_tensor(names.get_name(hf, try_suffixes=(".weight", ".bias")), data)
    d, hd = c["n_embd"], c["n_embd"] // c["n_head"]
    put("model.embed_tokens.weight", (rng.rng.standard_normal((len(tokens), d)) * 0.5).astype(np.float32))
    for i in range(c["n_layer"]):
        p = f"model.layers.{i}."
        put(p + "input_layernorm.weight", rng.norm(d))
        put(p + "self_attn.q_proj.weight", rng.mat(d, d))
        put(p + "self_attn.q_proj.bias", rng.vec(d))
        put(p + "self_attn.k_proj.weight", rng.mat(c["n_kv"] * hd, d))
        put(p + "self_attn.k_proj.bias", rng.vec(c["n_kv"] * hd))
        put(p + "self_attn.v_proj.weight", rng.mat(c["n_kv"] * hd, d))
        put(p + "self_attn.v_proj.bias", rng.vec(c["n_kv"] * hd))
        put_llama_block_rest(put, rng, p, d, c["n_ff"])
    put_llama_head(put, rng, w, d, len(tokens))


def write_qwen2vl_mmproj(gguf, path):
    """As convert_hf_to_gguf.py --mmproj writes Qwen2-VL (Qwen2VLVisionModel): qkv split into q/k/v, the Conv3d patch
    embedding split into two Conv2d kernels (v.patch_embd.weight, v.patch_embd.weight.1), merger ln_q -> v.post_ln."""
    v, n_text = QWEN_VIT, QWEN["n_embd"]
    rng = Weights(10)
    # the converter renames vision_config: embed_dim -> hidden_size, hidden_size (the text width) -> intermediate_size
    w = new_mmproj_writer(gguf, path, "Tiny Qwen2-VL mmproj (random weights, ReportGen test fixture)", n_text, v, n_text,
                          [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711])
    # Qwen2VLVisionModel.set_gguf_parameters (model_type qwen2_vl)
    w.add_clip_projector_type(gguf.VisionProjectorType.QWEN2VL)
    w.add_vision_attention_layernorm_eps(1e-6)

    # the real tower is 32 blocks deep, so the converter's map also covers the merger's "mlp.2"
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.MMPROJ, max(v["n_layer"], 3))
    def put(hf, data):
        w.add_tensor(names.get_name(hf, try_suffixes=(".weight", ".bias")), data.astype(np.float32))
    h, p, ff = v["hidden"], v["patch"], v["hidden"] * v["mlp_ratio"]
    conv = (rng.rng.standard_normal((h, 3, 2, p, p)) / np.sqrt(3 * 2 * p * p)).astype(np.float32)  # Conv3d, temporal 2
    w.add_tensor(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.V_ENC_EMBD_PATCH] + ".weight", conv[:, :, 0, ...].copy())
    w.add_tensor(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.V_ENC_EMBD_PATCH] + ".weight.1", conv[:, :, 1, ...].copy())
    for i in range(v["n_layer"]):
        b = f"visual.blocks.{i}."
        put(b + "norm1.weight", rng.norm(h))
        put(b + "norm1.bias", rng.vec(h))
        qkv_w, qkv_b = rng.mat(3 * h, h), rng.vec(3 * h)
        for j, part in enumerate("qkv"):
            put(b + f"attn.{part}.weight", qkv_w[j * h:(j + 1) * h])
            put(b + f"attn.{part}.bias", qkv_b[j * h:(j + 1) * h])
        put(b + "attn.proj.weight", rng.mat(h, h))
        put(b + "attn.proj.bias", rng.vec(h))
        put(b + "norm2.weight", rng.norm(h))
        put(b + "norm2.bias", rng.vec(h))
        put(b + "mlp.fc1.weight", rng.mat(ff, h))
        put(b + "mlp.fc1.bias", rng.vec(ff))
        put(b + "mlp.fc2.weight", rng.mat(h, ff))
        put(b + "mlp.fc2.bias", rng.vec(h))
    m = h * v["merge"] ** 2
    put("visual.merger.ln_q.weight", rng.norm(h))
    put("visual.merger.ln_q.bias", rng.vec(h))
    put("visual.merger.mlp.0.weight", rng.mat(m, m))
    put("visual.merger.mlp.0.bias", rng.vec(m))
    put("visual.merger.mlp.2.weight", rng.mat(n_text, m, gain=2.0))
    put("visual.merger.mlp.2.bias", rng.vec(n_text))
    finish(w)


FIXTURES = [
    ("tiny-gemma3.gguf", write_gemma3_text),
    ("tiny-gemma3-mmproj.gguf", write_gemma3_mmproj),
    ("tiny-llava-llama.gguf", write_llama_text),
    ("tiny-llava-mmproj-128.gguf", lambda g, p: write_llava_mmproj(g, p, LLAMA["n_embd"], 6)),
    ("tiny-llava-mmproj-64.gguf", lambda g, p: write_llava_mmproj(g, p, 64, 7)),
    ("tiny-llava-mmproj-320.gguf", lambda g, p: write_llava_mmproj(g, p, 320, 8)),
    ("tiny-qwen2vl.gguf", write_qwen2vl_text),
    ("tiny-qwen2vl-mmproj.gguf", write_qwen2vl_mmproj),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gguf-py", help="gguf-py folder of the pinned llama.cpp source")
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "fixtures", "gguf"))
    args = ap.parse_args()
    gguf = load_gguf(args.gguf_py)
    os.makedirs(args.out, exist_ok=True)
    for name, write in FIXTURES:
        path = os.path.join(args.out, name)
        write(gguf, path)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        print(f"{digest}  {name}  {os.path.getsize(path)}")


if __name__ == "__main__":
    main()
