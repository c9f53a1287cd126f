"""What the tool knows without asking anyone — AWS regions, EC2 instance types, the EKS calendar, subnet
layout, eksctl's defaults, IAM documents. Pure: these modules import only model types (and `model` imports
only `knowledge.instances`)."""
