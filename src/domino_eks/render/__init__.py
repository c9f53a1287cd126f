"""Renderers: the deployment model written out as the files a user applies (eksctl, Kubernetes, IAM, ...)."""
