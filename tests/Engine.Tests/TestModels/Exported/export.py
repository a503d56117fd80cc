"""Regenerates the tiny torchvision transformers the default-layer tests read (random weights: only the graphs matter).

Run with torch 1.13 / torchvision 0.14 (Debian python3-torch): python3 export.py
"""
import torch
from torchvision.models import VisionTransformer
from torchvision.models.convnext import CNBlockConfig, ConvNeXt
from torchvision.models.swin_transformer import SwinTransformer


def export(model, name, opset):
    torch.manual_seed(0)
    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, 32, 32), name, opset_version=opset,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})


torch.manual_seed(0)
vit = VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32, num_classes=10)
export(vit, "vit_opset13.onnx", 13)  # LayerNorm decomposed into ReduceMean/Sub/Pow/.../Add
export(vit, "vit_opset17.onnx", 17)  # LayerNormalization nodes
export(SwinTransformer(patch_size=[4, 4], embed_dim=8, depths=[1, 1], num_heads=[2, 2], window_size=[4, 4], num_classes=10),
       "swin.onnx", 13)
export(ConvNeXt([CNBlockConfig(8, 16, 1), CNBlockConfig(16, None, 1)], num_classes=10), "convnext.onnx", 13)
