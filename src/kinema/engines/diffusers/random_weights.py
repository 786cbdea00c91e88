"""Random-weight model directories with the real architectures.

They let the engines be exercised end to end where the real weights cannot be had: the
CPU test suite uses ``"tiny"`` models (a few thousand parameters, seconds per clip) and
the GPU benchmark uses ``"full"`` models, the published architectures with random
weights, which cost the same compute as the real ones. Each directory is written with
``save_pretrained`` so the engines load it exactly as they load downloaded weights.
Nothing here touches the network.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any, Literal

Scale = Literal["tiny", "full"]

# The pipeline class each family's random model directory is saved as.
PIPELINE_CLASSES = {
    "ltx2": "LTX2Pipeline",
    "ltx-video": "LTXConditionPipeline",
    "wan": "WanVACEPipeline",
}


def character_tokenizer(model_max_length: int = 64) -> Any:
    """A character-level tokenizer built with ``tokenizers`` (no vocabulary download)."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    symbols = ["<pad>", "</s>", "<unk>", "<bos>", *string.printable[:95]]
    vocab = {symbol: index for index, symbol in enumerate(symbols)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    backend.post_processor = processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", vocab["</s>"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        bos_token="<bos>",
        model_max_length=model_max_length,
    )


def _t5_encoder(width: int, layers: int, heads: int, umt5: bool) -> Any:
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    config_class: Any = UMT5Config if umt5 else T5Config
    config = config_class(
        vocab_size=128,
        d_model=width,
        d_kv=width // heads,
        d_ff=width * 2,
        num_layers=layers,
        num_heads=heads,
        relative_attention_num_buckets=8,
    )
    encoder: Any = UMT5EncoderModel if umt5 else T5EncoderModel
    return encoder(config)


def build_wan(scale: Scale = "tiny") -> Any:
    """A Wan 2.1 VACE pipeline (text, image, video and reference-image conditioning)."""
    import torch
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanVACEPipeline,
        WanVACETransformer3DModel,
    )

    torch.manual_seed(0)
    if scale == "tiny":
        vae = AutoencoderKLWan(
            base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
            temperal_downsample=[False, True, True],
        )
        text_encoder = _t5_encoder(32, 1, 2, umt5=True)
        transformer = WanVACETransformer3DModel(
            patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
            in_channels=16, out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32,
            num_layers=3, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32, vace_layers=[0, 2], vace_in_channels=96,
        )
    else:
        # Wan2.1-VACE-1.3B: 30 blocks of width 1536, UMT5-XXL text encoder.
        vae = AutoencoderKLWan()
        text_encoder = _full_umt5()
        transformer = WanVACETransformer3DModel(
            num_attention_heads=12, attention_head_dim=128, ffn_dim=8960, num_layers=30,
            vace_layers=list(range(0, 30, 2)),
        )
    return WanVACEPipeline(
        tokenizer=character_tokenizer(512 if scale == "full" else 64),
        text_encoder=text_encoder,
        vae=vae,
        transformer=transformer,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0),
    )


def _full_umt5() -> Any:
    from transformers import UMT5Config, UMT5EncoderModel

    return UMT5EncoderModel(
        UMT5Config(
            vocab_size=256384, d_model=4096, d_kv=64, d_ff=10240, num_layers=24,
            num_heads=64, feed_forward_proj="gated-gelu",
        )
    )


def build_ltx_video(scale: Scale = "tiny") -> Any:
    """An LTX-Video pipeline saved as ``LTXConditionPipeline`` (it also loads as the
    text-to-video and image-to-video pipelines)."""
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXConditionPipeline,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(0)
    if scale == "tiny":
        transformer = LTXVideoTransformer3DModel(
            in_channels=8, out_channels=8, patch_size=1, patch_size_t=1,
            num_attention_heads=4, attention_head_dim=8, cross_attention_dim=32,
            num_layers=2, caption_channels=32,
        )
        vae = AutoencoderKLLTXVideo(
            in_channels=3, out_channels=3, latent_channels=8,
            block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
            layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1),
            spatio_temporal_scaling=(True, True, False, False),
            decoder_spatio_temporal_scaling=(True, True, False, False),
            decoder_inject_noise=(False, False, False, False, False),
            upsample_residual=(False, False, False, False), upsample_factor=(1, 1, 1, 1),
            timestep_conditioning=False, patch_size=4, patch_size_t=1,
            encoder_causal=True, decoder_causal=False,
        )
        text_encoder = _t5_encoder(32, 1, 2, umt5=False)
    else:
        # LTX-Video 0.9.x (2B): the library defaults are that architecture.
        transformer = LTXVideoTransformer3DModel()
        vae = AutoencoderKLLTXVideo(
            decoder_block_out_channels=(256, 512, 1024),
            layers_per_block=(4, 6, 6, 2, 2),
            decoder_layers_per_block=(5, 5, 5, 5),
            spatio_temporal_scaling=(True, True, True, True),
            decoder_spatio_temporal_scaling=(True, True, True),
            decoder_inject_noise=(False, False, False, False),
            downsample_type=("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
            upsample_residual=(True, True, True),
            upsample_factor=(2, 2, 2),
            timestep_conditioning=True,
            block_out_channels=(128, 256, 512, 1024, 2048),
            down_block_types=(
                "LTXVideo095DownBlock3D", "LTXVideo095DownBlock3D",
                "LTXVideo095DownBlock3D", "LTXVideo095DownBlock3D",
            ),
            patch_size=4,
            spatial_compression_ratio=32,
            temporal_compression_ratio=8,
        )
        from transformers import T5Config, T5EncoderModel

        text_encoder = T5EncoderModel(
            T5Config(
                vocab_size=32128, d_model=4096, d_kv=64, d_ff=10240, num_layers=24,
                num_heads=64, feed_forward_proj="gated-gelu",
            )
        )
    return LTXConditionPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=character_tokenizer(128 if scale == "full" else 64),
        transformer=transformer,
    )


def build_ltx2(scale: Scale = "tiny") -> Any:
    """An LTX-2 pipeline: video and audio transformers, both VAEs, the vocoder and a
    Gemma 3 text encoder."""
    import torch
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2Pipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    torch.manual_seed(0)
    if scale == "full":
        # The published LTX-2 architecture is the library's default configuration, with
        # Gemma 3 12B as its text encoder.
        text_encoder = Gemma3ForConditionalGeneration(
            Gemma3Config(
                text_config={
                    "vocab_size": 262208, "hidden_size": 3840, "intermediate_size": 15360,
                    "num_hidden_layers": 48, "num_attention_heads": 16,
                    "num_key_value_heads": 8, "head_dim": 256,
                }
            )
        )
        return LTX2Pipeline(
            scheduler=FlowMatchEulerDiscreteScheduler(),
            vae=AutoencoderKLLTX2Video(spatial_compression_ratio=32, temporal_compression_ratio=8),
            audio_vae=AutoencoderKLLTX2Audio(),
            text_encoder=text_encoder,
            tokenizer=character_tokenizer(1024),
            connectors=LTX2TextConnectors(),
            transformer=LTX2VideoTransformer3DModel(),
            vocoder=LTX2Vocoder(),
        )

    text_config: dict[str, Any] = {
        "vocab_size": 128, "hidden_size": 32, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
        "head_dim": 16, "max_position_embeddings": 128, "sliding_window": 64,
        "layer_types": ["full_attention", "full_attention"],
    }
    vision_config = {
        "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
        "num_attention_heads": 2, "image_size": 28, "patch_size": 14,
    }
    text_encoder = Gemma3ForConditionalGeneration(
        Gemma3Config(text_config=text_config, vision_config=vision_config, mm_tokens_per_image=4)
    )
    hidden = text_config["hidden_size"]
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1,
        num_attention_heads=2, attention_head_dim=8, cross_attention_dim=16,
        audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2,
        qk_norm="rms_norm_across_heads", caption_channels=hidden,
        rope_double_precision=False, rope_type="split",
    )
    connectors = LTX2TextConnectors(
        caption_channels=hidden, text_proj_in_factor=text_config["num_hidden_layers"] + 1,
        video_connector_num_attention_heads=4, video_connector_attention_head_dim=8,
        video_connector_num_layers=1, video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=4, audio_connector_attention_head_dim=8,
        audio_connector_num_layers=1, audio_connector_num_learnable_registers=None,
        connector_rope_base_seq_len=32, rope_theta=10000.0, rope_double_precision=False,
        causal_temporal_positioning=False, rope_type="split",
    )
    # The real layout (32x spatial, 8x temporal compression) with narrow blocks, so
    # even small test clips make only a few dozen latent tokens.
    vae = AutoencoderKLLTX2Video(
        latent_channels=4, block_out_channels=(8, 16, 32, 32),
        decoder_block_out_channels=(8, 16, 32), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1), decoder_inject_noise=(False,) * 4,
        upsample_residual=(False, False, False),
        spatial_compression_ratio=32, temporal_compression_ratio=8,
    )
    audio_vae: Any = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1,
        attn_resolutions=None, in_channels=2, resolution=32, latent_channels=2,
        norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160,
        is_causal=True, mel_bins=8,
    )
    vocoder = LTX2Vocoder(
        in_channels=audio_vae.config.output_channels * audio_vae.config.mel_bins,
        hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4],
        upsample_factors=[2, 2], resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]],
        leaky_relu_negative_slope=0.1, output_sampling_rate=16000,
    )
    return LTX2Pipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        audio_vae=audio_vae,
        text_encoder=text_encoder,
        tokenizer=character_tokenizer(64),
        connectors=connectors,
        transformer=transformer,
        vocoder=vocoder,
    )


BUILDERS = {"ltx2": build_ltx2, "ltx-video": build_ltx_video, "wan": build_wan}


def build_random_pipeline(family: str, scale: Scale = "tiny") -> Any:
    """The pipeline of ``family`` (``ltx2``, ``ltx-video``, ``wan``) with random weights."""
    try:
        builder = BUILDERS[family]
    except KeyError:
        raise ValueError(
            f"Unknown model family {family!r}; known: {', '.join(BUILDERS)}."
        ) from None
    return builder(scale)


def save_random_model(family: str, directory: Path, scale: Scale = "tiny") -> Path:
    """Write a random-weight model directory for ``family`` that the engine loads like a
    downloaded one; returns ``directory``."""
    pipeline = build_random_pipeline(family, scale)
    directory.mkdir(parents=True, exist_ok=True)
    pipeline.save_pretrained(directory)
    return directory
