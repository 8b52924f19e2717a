"""colorcnn_repro: ColorCNN and ColorCNN+ (Hou, Zheng & Gould), learned colour quantization for machine
recognition, with classical baselines, a training/evaluation engine and a model zoo."""
from .quantized import Quantized, jpeg_bpp

__version__ = "0.1.0"
__all__ = ["Quantized", "jpeg_bpp", "__version__"]
