"""The JSON files each family really ships next to its graph: config.json and generation_config.json
with the keys and values of the family's own checkpoints (GPT-2: openai-community/gpt2; Llama:
Llama 2 / TinyLlama; Qwen2: Qwen2 / Qwen2.5 base models), sized to the test model. The tokenizer
files come from the family's trainer (train-bpe.mts, families/train-*-bpe.mts) unchanged."""
import json
import os
import shutil


def gpt2_config(c, eot):
    return {
        'activation_function': 'gelu',  # the module's exact GELU (openai-community/gpt2 says gelu_new)
        'architectures': ['GPT2LMHeadModel'],
        'attn_pdrop': 0.1, 'embd_pdrop': 0.1, 'resid_pdrop': 0.1,
        'bos_token_id': eot, 'eos_token_id': eot,
        'initializer_range': 0.02, 'layer_norm_epsilon': 1e-5,
        'model_type': 'gpt2',
        'n_ctx': c['n_positions'], 'n_embd': c['n_embd'], 'n_head': c['n_head'], 'n_inner': None,
        'n_layer': c['n_layer'], 'n_positions': c['n_positions'],
        'tie_word_embeddings': True, 'use_cache': True, 'vocab_size': c['vocab_size'],
    }


def llama_config(c, family, bos, eos):
    common = {
        'attention_dropout': 0.0, 'bos_token_id': bos, 'eos_token_id': eos, 'hidden_act': 'silu',
        'hidden_size': c['hidden_size'], 'initializer_range': 0.02, 'intermediate_size': c['intermediate_size'],
        'max_position_embeddings': c['max_position_embeddings'], 'model_type': family,
        'num_attention_heads': c['num_attention_heads'], 'num_hidden_layers': c['num_hidden_layers'],
        'num_key_value_heads': c['num_key_value_heads'], 'rms_norm_eps': c['rms_norm_eps'],
        'rope_theta': c['rope_theta'], 'tie_word_embeddings': c['tie_word_embeddings'],
        'torch_dtype': 'float32', 'use_cache': True, 'vocab_size': c['vocab_size'],
    }
    if family == 'llama':
        return {'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'mlp_bias': False,
                'pretraining_tp': 1, 'rope_scaling': None, **common}
    return {'architectures': ['Qwen2ForCausalLM'], 'max_window_layers': c['num_hidden_layers'],
            'sliding_window': c['max_position_embeddings'], 'use_sliding_window': False, **common}


def write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write('\n')


def write_family_files(out, family, c, tokenizer_dir):
    """config.json, generation_config.json and the tokenizer files of `family` into `out`."""
    tok = json.load(open(os.path.join(tokenizer_dir, 'tokenizer.json')))
    ids = {t['content']: t['id'] for t in tok['added_tokens']}
    if family == 'gpt2':
        eot = ids['<|endoftext|>']
        config, generation = gpt2_config(c, eot), {'bos_token_id': eot, 'eos_token_id': eot}
    elif family == 'llama':
        config = llama_config(c, family, ids['<s>'], ids['</s>'])
        generation = {'bos_token_id': ids['<s>'], 'eos_token_id': ids['</s>'], 'max_length': c['max_position_embeddings']}
    else:
        eot = ids['<|endoftext|>']
        config = llama_config(c, family, eot, eot)
        generation = {'bos_token_id': eot, 'do_sample': False, 'eos_token_id': eot, 'max_new_tokens': c['max_position_embeddings']}
    write_json(os.path.join(out, 'config.json'), config)
    write_json(os.path.join(out, 'generation_config.json'), generation)
    for name in ('tokenizer.json', 'tokenizer_config.json'):
        shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(out, name))
