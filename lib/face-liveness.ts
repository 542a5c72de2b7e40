import { Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface FaceLivenessProps {
  stage: string;
}

/**
 * Browser credentials for Rekognition Face Liveness: the hosted page streams the applicant's video with
 * `StartFaceLivenessSession`, signed with guest (unauthenticated) credentials from this Cognito identity
 * pool. The guest role may call that one action and nothing else; the session id it streams to is created
 * server-side by the applicant API (CreateFaceLivenessSession) for a verification the client token opened.
 */
export class FaceLiveness extends Construct {
  readonly identityPool: cognito.CfnIdentityPool;
  readonly guestRole: iam.Role;

  constructor(scope: Construct, id: string, props: FaceLivenessProps) {
    super(scope, id);
    this.identityPool = new cognito.CfnIdentityPool(this, 'IdentityPool', {
      identityPoolName: `kyc_${props.stage.replace(/[^A-Za-z0-9]/g, '_')}_face_liveness`,
      allowUnauthenticatedIdentities: true,
      // Enhanced (simplified) flow only: the classic flow would let a guest pick any role.
      allowClassicFlow: false,
    });
    this.guestRole = new iam.Role(this, 'GuestRole', {
      description: 'Face Liveness guest identities of the hosted flow: StartFaceLivenessSession only',
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
    });
    this.guestRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['rekognition:StartFaceLivenessSession'], resources: ['*'] }),
    );
    new cognito.CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roles: { unauthenticated: this.guestRole.roleArn },
    });

    Validations.of(this.identityPool).acknowledge({
      id: 'AwsSolutions-COG7',
      reason:
        'Applicants have no accounts: the hosted page needs guest credentials to stream Face Liveness video. The guest role allows only rekognition:StartFaceLivenessSession, and sessions are created server-side per verification.',
    });
    Validations.of(this.guestRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'rekognition:StartFaceLivenessSession has no resource-level permissions; the session id is the capability, created by the applicant API.',
    });
  }

  /** Region of the stack (the identity pool and the sessions live there). */
  get region(): string {
    return Stack.of(this).region;
  }
}
