"""The request's choices cover the contract: a method or baseline added to the proto fails here until it is named."""
from __future__ import annotations

from saliency_slider._proto import saliency_pb2 as pb
from saliency_slider.request import BASELINES, METHODS


def test_every_cam_method_of_the_contract_has_a_name() -> None:
    contract = [v.number for v in pb.CamMethod.DESCRIPTOR.values if v.number != pb.CAM_METHOD_UNSPECIFIED]
    assert sorted(METHODS.values()) == sorted(contract)


def test_every_baseline_of_the_contract_has_a_name() -> None:
    contract = [v.number for v in pb.Baseline.DESCRIPTOR.values if v.number != pb.BASELINE_UNSPECIFIED]
    assert sorted(BASELINES.values()) == sorted(contract)
