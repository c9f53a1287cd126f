"""domino-eks: design, validate, provision and verify an Amazon EKS environment for Domino Data Lab."""

__version__ = "0.1.0"
