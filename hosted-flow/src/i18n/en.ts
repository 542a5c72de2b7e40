/** English catalog: the reference set of message keys. Placeholders are `{name}`; plurals use `.one`/`.other` (+ CLDR forms). */
export const en = {
  'app.title': 'Identity verification',
  'app.testBanner': 'Test mode: no real checks run. Choose the outcome below.',
  'app.stepOf': 'Step {current} of {total}',
  'common.loading': 'Loading…',
  'common.continue': 'Continue',
  'common.tryAgain': 'Try again',
  'common.back': 'Back',

  'welcome.title': 'Verify your identity',
  'welcome.intro': 'This takes about two minutes. You will need:',
  'welcome.needDocument': 'Your identity document',
  'welcome.needCamera': 'A device with a camera',
  'welcome.needLight': 'A well-lit place',
  'welcome.noCamera': 'We found no camera on this device. Continue on your phone, or start here and upload photos.',
  'welcome.start': 'Start',
  'welcome.otherDevice': 'Continue on another device',

  'consent.title': 'Your consent',
  'consent.body':
    'To verify your identity we take photos of your identity document and of your face, compare them, and check that you are really present. The result is shared with the company that sent you here. The photos are deleted after the retention period.',
  'consent.version': 'Consent text version {version}',
  'consent.checkbox': 'I agree to the processing of my document and face images to verify my identity.',
  'consent.accept': 'Agree and continue',
  'consent.decline': 'I do not agree',
  'consent.mustCheck': 'Tick the box to agree, or choose “I do not agree”.',
  'consentDeclined.title': 'Verification stopped',
  'consentDeclined.body': 'You did not give your consent, so we cannot verify your identity. You can close this page.',

  'document.chooseTitle': 'Choose your document',
  'document.chooseLegend': 'Document type',
  'document.type.passport': 'Passport',
  'document.type.id_card': 'Identity card',
  'document.type.driving_licence': 'Driving licence',
  'document.type.residence_permit': 'Residence permit',
  'document.frontTitle': 'Front of your document: {documentType}',
  'document.backTitle': 'Back of your document: {documentType}',
  'document.passportTitle': 'Photo page of your passport',
  'document.hint': 'Place the whole document inside the frame, flat, in good light and without glare.',

  'capture.take': 'Take photo',
  'capture.upload': 'Upload a photo instead',
  'capture.reviewTitle': 'Check your photo',
  'capture.reviewHint': 'Make sure everything is sharp, readable and nothing is cut off.',
  'capture.use': 'Use this photo',
  'capture.useAnyway': 'Use it anyway',
  'capture.retake': 'Retake',
  'capture.uploading': 'Uploading your photo…',
  'capture.previewAlt': 'The photo you took',
  'capture.missing': 'Some photos are missing. Please take them again.',

  'quality.tooDark': 'The photo is too dark. Move somewhere brighter.',
  'quality.blurry': 'The photo looks blurry. Hold still and let the camera focus.',
  'quality.tooSmall': 'The photo is too small ({width} × {height} pixels). Move closer or use a better camera.',
  'quality.noFace': 'We could not find a face in the photo. Look straight at the camera.',

  'uploadError.unsupported_media_type': 'This file type is not supported. Use a JPEG, PNG or WebP photo.',
  'uploadError.file_too_large': 'The photo is too large. Use a photo under {maxMb} MB.',
  'uploadError.too_many_pixels': 'The photo has too many pixels. Use a smaller photo.',
  'uploadError.upload_expired': 'The upload took too long. Please try again.',
  'uploadError.upload_missing': 'The photo did not arrive. Please try again.',
  'uploadError.image_unreadable': 'The photo could not be read. Take it again.',
  'uploadError.generic': 'The photo could not be sent. Please try again.',

  'selfie.title': 'Take a selfie',
  'selfie.hint': 'Look straight at the camera with your face inside the oval. The photo is taken automatically.',
  'selfie.status.searching': 'Looking for your face…',
  'selfie.status.hold': 'Hold still…',
  'selfie.status.closer': 'Move a little closer.',
  'selfie.status.oneFace': 'Only one person should be in the picture.',
  'selfie.status.lookStraight': 'Look straight at the camera.',

  'liveness.title': 'Liveness check',
  'liveness.intro':
    'Follow each instruction as it appears, turning your head smoothly. A short, low-resolution recording of the movements and one photo per position are taken automatically.',
  'liveness.progress': 'Movement {current} of {total}',
  'liveness.prompt.left': 'Slowly turn your head to your left',
  'liveness.prompt.right': 'Slowly turn your head to your right',
  'liveness.prompt.centre': 'Look straight at the camera',
  'liveness.done': 'Movement recorded.',
  'liveness.noFace': 'We cannot see your face. Keep it inside the oval.',
  'liveness.preparing': 'Preparing the check…',
  'liveness.detectorFailed': 'The automatic check cannot run on this device. Please continue on another device.',
  'liveness.sending': 'Sending your photos…',
  'liveness.tooLong':
    'The movements took too long to record. Try again: follow each instruction as soon as it appears.',

  'faceLiveness.title': 'Video check',
  'faceLiveness.intro':
    'Look at the camera and follow the instructions: fit your face in the oval, then hold still. This takes a few seconds.',
  'faceLiveness.preparing': 'Preparing the video check…',
  'faceLiveness.complete': 'Video check recorded.',
  'faceLiveness.startAgain': 'Start the video check again',
  'faceLiveness.cancelled.title': 'Video check stopped',
  'faceLiveness.cancelled.body': 'You stopped the video check. It is needed to finish your verification.',
  'faceLiveness.failure.camera.title': 'Your camera cannot be used',
  'faceLiveness.failure.camera.body':
    'Allow this page to use the camera, close other apps that use it, and try again. The camera must film at least 320×240 pixels at 15 images per second.',
  'faceLiveness.failure.timeout.title': 'Your face did not fill the oval in time',
  'faceLiveness.failure.timeout.body': 'Move closer until your face fills the oval, then hold still.',
  'faceLiveness.failure.face.title': 'Keep still, with only your face in view',
  'faceLiveness.failure.face.body':
    'Make sure no one else is in front of the camera, and do not move closer while the check connects.',
  'faceLiveness.failure.landscape.title': 'Hold your phone upright',
  'faceLiveness.failure.landscape.body':
    'The video check works only in portrait orientation. Turn your phone upright and try again.',
  'faceLiveness.failure.connection.title': 'The video check could not connect',
  'faceLiveness.failure.connection.body': 'Check your internet connection and try again.',
  'faceLiveness.failure.server.title': 'The video check could not be completed',
  'faceLiveness.failure.server.body': 'Something went wrong on our side. Please try again.',
  'faceLiveness.failure.runtime.title': 'The video check stopped',
  'faceLiveness.failure.runtime.body':
    'Something went wrong in your browser. Try again, or continue on another device.',

  'processing.title': 'Checking your identity',
  'processing.body': 'This usually takes less than a minute. Please keep this page open.',
  'processing.progressLabel': 'Verification progress',
  'processing.status': 'Checking your photos…',

  'result.approved.title': 'You are verified',
  'result.approved.body': 'Thank you. Your identity has been confirmed.',
  'result.review.title': 'Your verification is being reviewed',
  'result.review.body':
    'A person will check your details. The company that sent you here will let you know the outcome.',
  'result.declinedRetry.title': 'We could not verify you yet',
  'result.declinedRetry.body': 'Please fix the following, then try again:',
  'result.declinedFinal.title': 'We could not verify your identity',
  'result.declinedFinal.body':
    'This verification cannot be repeated. Contact the company that sent you here if you think this is a mistake.',
  'result.declinedClosed.body':
    'Please fix the following. The company that sent you here can send you a new link to try again.',
  'result.reasonsTitle': 'What went wrong',
  'result.attemptsLeft.one': 'You have {count} attempt left.',
  'result.attemptsLeft.other': 'You have {count} attempts left.',
  'result.retry': 'Try again',
  'result.continue': 'Continue',
  'result.redirecting': 'Taking you back in a few seconds…',

  'reason.DOCUMENT_UNREADABLE':
    'Your document could not be read. Photograph it flat, in good light, with all four corners visible.',
  'reason.MRZ_CHECK_DIGIT_FAILED':
    'The code lines at the bottom of your document could not be read correctly. Make sure they are sharp and free of glare.',
  'reason.DOCUMENT_TYPE_NOT_ACCEPTED': 'This type of document is not accepted. Use one of the documents offered.',
  'reason.COUNTRY_NOT_ACCEPTED': 'Documents from this country are not accepted here. Use another document.',
  'reason.EXPIRATION_DATE': 'Your document has expired. Use a valid document.',
  'reason.NO_FACE_ON_DOCUMENT': 'We could not find the portrait on your document. Photograph the page with your photo.',
  'reason.NO_FACE_IN_SELFIE': 'We could not find your face in the selfie. Look straight at the camera in good light.',
  'reason.MULTIPLE_FACES_IN_SELFIE': 'More than one face was in the selfie. Make sure you are alone in the picture.',
  'reason.BAD_FACE_MATCHING':
    'Your selfie does not match the photo on your document. Take the selfie yourself, facing the camera, without glasses or a hat.',
  'reason.FACE_MATCH_INCONCLUSIVE': 'We could not compare your selfie with your document clearly.',
  'reason.LIVENESS_FAILED':
    'The head movements did not match the instructions. Do it again yourself, live in front of the camera: follow each instruction as it appears and turn your head smoothly and clearly to the side, keeping your face in the oval. Photos, videos or screens are not accepted.',
  'reason.LIVENESS_INCONCLUSIVE':
    'We could not see your face well during the movements. Keep your face inside the oval, in good light.',
  'reason.UNDERAGE': 'You do not meet the minimum age for this service.',
  'reason.CONSENT_DECLINED': 'You did not give your consent.',
  'reason.ATTEMPTS_EXHAUSTED': 'You have used all your attempts.',
  'reason.SESSION_EXPIRED': 'The verification link expired before you finished.',
  'reason.CHECK_ERROR': 'A technical problem occurred while checking your photos.',
  'reason.unknown': 'Something did not pass our checks ({code}).',

  'error.expired.title': 'This link has expired',
  'error.expired.body': 'Ask the company that sent you here for a new verification link.',
  'error.invalid.title': 'This link is not valid',
  'error.invalid.body': 'Check that you opened the complete link you received, or ask for a new one.',
  'error.finished.title': 'This verification is already finished',
  'error.finished.body': 'There is nothing more to do here. You can close this page.',
  'error.network.title': 'Connection problem',
  'error.network.body': 'We could not reach the server. Check your connection and try again.',
  'error.generic.title': 'Something went wrong',
  'error.generic.body': 'Please try again in a moment.',

  'camera.starting': 'Starting the camera…',
  'camera.previewLabel': 'Camera preview',
  'camera.denied.title': 'Camera access is blocked',
  'camera.denied.body':
    'Allow this site to use your camera in your browser settings, then try again. You can also continue on another device.',
  'camera.notFound.title': 'No camera found',
  'camera.notFound.body': 'We could not find a camera on this device. Continue on a phone, or upload photos instead.',
  'camera.busy.title': 'Your camera is in use',
  'camera.busy.body': 'Another app or tab is using the camera. Close it, then try again.',
  'camera.insecure.title': 'The camera is not available on this connection',
  'camera.insecure.body':
    'The camera only works on a secure (https) page. Open the link you received again, or continue on another device.',
  'camera.unsupported.title': 'This browser cannot use the camera',
  'camera.unsupported.body': 'Update your browser or continue on another device.',
  'camera.uploadInstead': 'Upload photos instead',

  'handoff.title': 'Continue on your phone',
  'handoff.body':
    'Scan this QR code with your phone’s camera to open this verification there. Keep this page open: it updates when you are done.',
  'handoff.qrAlt': 'QR code containing the link to this verification',
  'handoff.waiting': 'Waiting for you to finish on the other device…',
  'handoff.inProgress': 'Your photos are being checked…',
  'handoff.back': 'Use this device instead',

  'test.title': 'Choose the test outcome',
  'test.body': 'This is a test verification. No photos are taken: pick the result to simulate.',
  'test.legend': 'Outcome',
  'test.approve': 'Approve',
  'test.declineRetry': 'Decline (can retry)',
  'test.declineFinal': 'Decline (final)',
  'test.review': 'Send to review',
} as const;

export type MessageKey = keyof typeof en;
/** Extra CLDR plural forms some languages need (Arabic: zero, two, few, many) beside `.one`/`.other`. */
export type PluralExtraKey = `${string}.${'zero' | 'two' | 'few' | 'many'}`;
export type Catalog = Record<MessageKey, string> & { [key: PluralExtraKey]: string };
