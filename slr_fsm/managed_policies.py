"""The AWS managed policy documents of the catalogued service-linked roles, as AWS publishes
them (sources in docs/marketplace-roles.md), kept apart from the role specs because they are long.

>>> LICENSE_MANAGEMENT_POLICY["Version"]
'2012-10-17'
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AUTO_SCALING_POLICY",
    "DEPLOYMENT_POLICY",
    "ELASTIC_BEANSTALK_POLICY",
    "LICENSE_MANAGEMENT_POLICY",
    "PRIVATE_MARKETPLACE_ADMIN_POLICY",
    "PROCUREMENT_INSIGHTS_POLICY",
    "RESALE_AUTHORIZATION_POLICY",
]

LICENSE_MANAGEMENT_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowLicenseManagerActions",
            "Effect": "Allow",
            "Action": [
                "organizations:DescribeOrganization",
                "license-manager:ListReceivedGrants",
                "license-manager:ListDistributedGrants",
                "license-manager:GetGrant",
                "license-manager:CreateGrant",
                "license-manager:CreateGrantVersion",
                "license-manager:DeleteGrant",
                "license-manager:AcceptGrant",
            ],
            "Resource": ["*"],
        }
    ],
}

PRIVATE_MARKETPLACE_ADMIN_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PrivateMarketplaceCatalogDescribePermissions",
            "Effect": "Allow",
            "Action": ["aws-marketplace:DescribeEntity"],
            "Resource": [
                "arn:aws:aws-marketplace:*:*:AWSMarketplace/Experience/*",
                "arn:aws:aws-marketplace:*:*:AWSMarketplace/Audience/*",
                "arn:aws:aws-marketplace:*:*:AWSMarketplace/ProcurementPolicy/*",
                "arn:aws:aws-marketplace:*:*:AWSMarketplace/BrandingSettings/*",
            ],
        },
        {
            "Sid": "PrivateMarketplaceCatalogDescribeChangeSetPermissions",
            "Effect": "Allow",
            "Action": ["aws-marketplace:DescribeChangeSet"],
            "Resource": "*",
        },
        {
            "Sid": "PrivateMarketplaceCatalogListPermissions",
            "Effect": "Allow",
            "Action": ["aws-marketplace:ListEntities", "aws-marketplace:ListChangeSets"],
            "Resource": "*",
        },
        {
            "Sid": "PrivateMarketplaceStartChangeSetPermissions",
            "Effect": "Allow",
            "Action": ["aws-marketplace:StartChangeSet"],
            "Condition": {
                "StringEquals": {
                    "catalog:ChangeType": ["AssociateAudience", "DisassociateAudience"]
                }
            },
            "Resource": [
                "arn:aws:aws-marketplace:*:*:AWSMarketplace/Experience/*",
                "arn:aws:aws-marketplace:*:*:AWSMarketplace/ChangeSet/*",
            ],
        },
        {
            "Sid": "PrivateMarketplaceOrganizationPermissions",
            "Effect": "Allow",
            "Action": [
                "organizations:DescribeAccount",
                "organizations:DescribeOrganizationalUnit",
                "organizations:ListDelegatedAdministrators",
                "organizations:ListChildren",
            ],
            "Resource": ["*"],
        },
    ],
}

PROCUREMENT_INSIGHTS_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ProcurementInsightsPermissions",
            "Effect": "Allow",
            "Action": [
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:ListAccounts",
            ],
            "Resource": ["*"],
        }
    ],
}

DEPLOYMENT_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ManageMarketplaceDeploymentSecrets",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:CreateSecret",
                "secretsmanager:PutSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:DeleteSecret",
                "secretsmanager:RemoveRegionsFromReplication",
            ],
            "Resource": ["arn:aws:secretsmanager:*:*:secret:marketplace-deployment*!*"],
            "Condition": {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}},
        },
        {
            "Sid": "ListSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:ListSecrets"],
            "Resource": ["*"],
        },
        {
            "Sid": "TagMarketplaceDeploymentSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:TagResource"],
            "Resource": "arn:aws:secretsmanager:*:*:secret:marketplace-deployment!*",
            "Condition": {
                "Null": {"aws:RequestTag/expirationDate": "false"},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["expirationDate"]},
                "StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"},
            },
        },
    ],
}

RESALE_AUTHORIZATION_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowResaleAuthorizationShareActionsRAMCreate",
            "Effect": "Allow",
            "Action": ["ram:CreateResourceShare"],
            "Resource": ["arn:aws:ram:*:*:*"],
            "Condition": {
                "StringEquals": {"ram:RequestedResourceType": "aws-marketplace:Entity"},
                "ArnLike": {
                    "ram:ResourceArn": "arn:aws:aws-marketplace:*:*:*/ResaleAuthorization/*"
                },
                "Null": {"ram:Principal": "true"},
            },
        },
        {
            "Sid": "AllowResaleAuthorizationShareActionsRAMAssociate",
            "Effect": "Allow",
            "Action": ["ram:AssociateResourceShare"],
            "Resource": ["arn:aws:ram:*:*:*"],
            "Condition": {
                "Null": {"ram:Principal": "false"},
                "StringEquals": {"ram:ResourceShareName": "AWSMarketplaceResaleAuthorization"},
            },
        },
        {
            "Sid": "AllowResaleAuthorizationShareActionsRAMAcceptDelete",
            "Effect": "Allow",
            "Action": ["ram:AcceptResourceShareInvitation", "ram:DeleteResourceShare"],
            "Resource": ["arn:aws:ram:*:*:*"],
            "Condition": {
                "StringEquals": {"ram:ResourceShareName": "AWSMarketplaceResaleAuthorization"}
            },
        },
        {
            "Sid": "AllowResaleAuthorizationShareActionsRAMGet",
            "Effect": "Allow",
            "Action": ["ram:GetResourceShareInvitations", "ram:GetResourceShareAssociations"],
            "Resource": ["arn:aws:ram:*:*:*"],
        },
        {
            "Sid": "AllowResaleAuthorizationShareActionsMarketplace",
            "Effect": "Allow",
            "Action": [
                "aws-marketplace:PutResourcePolicy",
                "aws-marketplace:GetResourcePolicy",
                "aws-marketplace:DeleteResourcePolicy",
            ],
            "Resource": "arn:aws:aws-marketplace:*:*:*/ResaleAuthorization/*",
            "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": ["ram.amazonaws.com"]}},
        },
        {
            "Sid": "AllowResaleAuthorizationShareActionsMarketplaceDescribe",
            "Effect": "Allow",
            "Action": ["aws-marketplace:DescribeEntity"],
            "Resource": "arn:aws:aws-marketplace:*:*:*/ResaleAuthorization/*",
        },
    ],
}

AUTO_SCALING_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": [
                "ec2:AttachClassicLinkVpc",
                "ec2:CancelSpotInstanceRequests",
                "ec2:CreateReplaceRootVolumeTask",
                "ec2:CreateFleet",
                "ec2:CreateTags",
                "ec2:DeleteTags",
                "ec2:Describe*",
                "ec2:DetachClassicLinkVpc",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "ec2:GetSecurityGroupsForVpc",
                "ec2:ModifyInstanceAttribute",
                "ec2:RequestSpotInstances",
                "ec2:RunInstances",
                "ec2:StartInstances",
                "ec2:StopInstances",
                "ec2:TerminateInstances",
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "EC2InstanceManagement",
        },
        {
            "Action": ["iam:PassRole"],
            "Resource": "*",
            "Effect": "Allow",
            "Condition": {"StringLike": {"iam:PassedToService": "ec2.amazonaws.com*"}},
            "Sid": "EC2InstanceProfileManagement",
        },
        {
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Effect": "Allow",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "spot.amazonaws.com"}},
            "Sid": "EC2SpotManagement",
        },
        {
            "Action": [
                "elasticloadbalancing:Register*",
                "elasticloadbalancing:Deregister*",
                "elasticloadbalancing:Describe*",
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "ELBManagement",
        },
        {
            "Action": [
                "cloudwatch:DeleteAlarms",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:GetMetricData",
                "cloudwatch:PutMetricAlarm",
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "CWManagement",
        },
        {"Action": ["sns:Publish"], "Resource": "*", "Effect": "Allow", "Sid": "SNSManagement"},
        {
            "Action": [
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:DeleteRule",
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Condition": {"StringEquals": {"events:ManagedBy": "autoscaling.amazonaws.com"}},
            "Sid": "EventBridgeRuleManagement",
        },
        {
            "Action": ["ssm:GetParameters"],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "SystemsManagerParameterManagement",
        },
        {
            "Action": [
                "vpc-lattice:DeregisterTargets",
                "vpc-lattice:GetTargetGroup",
                "vpc-lattice:ListTargets",
                "vpc-lattice:ListTargetGroups",
                "vpc-lattice:RegisterTargets",
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "VpcLatticeManagement",
        },
        {
            "Action": ["resource-groups:ListGroupResources"],
            "Resource": "arn:*:resource-groups:*:*:group/*",
            "Effect": "Allow",
            "Sid": "ResourceGroupsManagement",
        },
    ],
}

ELASTIC_BEANSTALK_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": [
                "cloudformation:DescribeStackResource",
                "cloudformation:DescribeStackResources",
                "cloudformation:DescribeStacks",
            ],
            "Resource": [
                "arn:aws:cloudformation:*:*:stack/awseb-*",
                "arn:aws:cloudformation:*:*:stack/eb-*",
            ],
            "Effect": "Allow",
            "Sid": "AllowCloudformationReadOperationsOnElasticBeanstalkStacks",
        },
        {
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeNotificationConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:PutNotificationConfiguration",
                "ec2:DescribeInstanceStatus",
                "ec2:AssociateAddress",
                "ec2:DescribeAddresses",
                "ec2:DescribeInstances",
                "ec2:DescribeSecurityGroups",
                "elasticloadbalancing:DescribeInstanceHealth",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTargetGroups",
                "lambda:GetFunction",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sns:Publish",
            ],
            "Resource": ["*"],
            "Effect": "Allow",
            "Sid": "AllowOperations",
        },
        {
            "Action": [
                "logs:CreateLogStream",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
                "logs:DeleteLogGroup",
                "logs:PutLogEvents",
            ],
            "Resource": "arn:aws:logs:*:*:log-group:/aws/elasticbeanstalk/*",
            "Effect": "Allow",
            "Sid": "AllowOperationsOnHealthStreamingLogs",
        },
    ],
}
