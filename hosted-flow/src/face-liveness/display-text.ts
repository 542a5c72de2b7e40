/**
 * Strings of the Face Liveness component in the page's languages. English keeps the component's own
 * wording except where the page words things differently; the component's error modals are not used
 * (errors end the island and the page explains them), so their strings are not translated.
 */

import type { FaceLivenessDetectorCoreProps } from '@aws-amplify/ui-react-liveness';

type LivenessStrings = NonNullable<FaceLivenessDetectorCoreProps['displayText']>;

const en: LivenessStrings = {
  startScreenBeginCheckText: 'Start video check',
  hintCenterFaceText: 'Centre your face',
  hintCenterFaceInstructionText:
    'Before starting, place your camera at the top centre of your screen and centre your face. An oval then appears: move closer until your face fills it, then hold still until the check completes.',
  hintFaceOffCenterText: 'Your face is not in the oval. Centre your face in front of the camera.',
  photosensitivityWarningHeadingText: 'Photosensitivity warning',
  photosensitivityWarningBodyText: 'This check flashes different colours. Use caution if you are photosensitive.',
  photosensitivityWarningInfoText:
    'Some people may experience epileptic seizures when exposed to coloured lights. Use caution if you, or anyone in your family, have an epileptic condition.',
};

const fr: LivenessStrings = {
  a11yVideoLabelText: 'Caméra pour la vérification de présence',
  cameraMinSpecificationsHeadingText: 'La caméra ne répond pas aux exigences minimales',
  cameraMinSpecificationsMessageText: 'La caméra doit offrir au moins 320×240 pixels et 15 images par seconde.',
  cameraNotFoundHeadingText: 'La caméra n’est pas accessible.',
  cameraNotFoundMessageText:
    'Vérifiez qu’une caméra est branchée et qu’aucune autre application ne l’utilise. Autorisez l’accès à la caméra dans les réglages, fermez toutes les fenêtres du navigateur, puis réessayez.',
  cancelLivenessCheckText: 'Annuler la vérification vidéo',
  goodFitCaptionText: 'Bien placé',
  goodFitAltText: 'Illustration d’un visage qui remplit exactement un ovale.',
  hintCenterFaceText: 'Centrez votre visage',
  hintCenterFaceInstructionText:
    'Avant de commencer, placez la caméra en haut au centre de l’écran et centrez votre visage. Un ovale apparaît ensuite : rapprochez-vous jusqu’à ce que votre visage le remplisse, puis ne bougez plus jusqu’à la fin de la vérification.',
  hintFaceOffCenterText: 'Votre visage n’est pas dans l’ovale. Centrez votre visage devant la caméra.',
  hintMoveFaceFrontOfCameraText: 'Placez votre visage devant la caméra',
  hintTooManyFacesText: 'Un seul visage doit être devant la caméra',
  hintFaceDetectedText: 'Visage détecté',
  hintCanNotIdentifyText: 'Placez votre visage devant la caméra',
  hintTooCloseText: 'Reculez',
  hintTooFarText: 'Rapprochez-vous',
  hintConnectingText: 'Connexion…',
  hintVerifyingText: 'Vérification…',
  hintCheckCompleteText: 'Vérification terminée',
  hintIlluminationTooBrightText: 'Allez dans un endroit moins éclairé',
  hintIlluminationTooDarkText: 'Allez dans un endroit plus éclairé',
  hintIlluminationNormalText: 'Éclairage correct',
  hintHoldFaceForFreshnessText: 'Ne bougez plus',
  hintMatchIndicatorText: '50 % effectués. Continuez à vous rapprocher.',
  photosensitivityWarningHeadingText: 'Avertissement de photosensibilité',
  photosensitivityWarningBodyText:
    'Cette vérification fait clignoter des couleurs. Soyez prudent si vous êtes photosensible.',
  photosensitivityWarningInfoText:
    'Certaines personnes peuvent faire une crise d’épilepsie face à des lumières colorées. Soyez prudent si vous ou un membre de votre famille êtes épileptique.',
  photosensitivityWarningLabelText: 'En savoir plus sur la photosensibilité',
  retryCameraPermissionsText: 'Réessayer',
  recordingIndicatorText: 'Enr.',
  startScreenBeginCheckText: 'Commencer la vérification vidéo',
  tooFarCaptionText: 'Trop loin',
  tooFarAltText: 'Illustration d’un visage dans un ovale, avec de l’espace entre le visage et le bord de l’ovale.',
  waitingCameraPermissionText: 'En attente de l’autorisation d’accès à la caméra.',
};

const ar: LivenessStrings = {
  a11yVideoLabelText: 'الكاميرا الخاصة بالتحقق من الحضور',
  cameraMinSpecificationsHeadingText: 'الكاميرا لا تستوفي الحد الأدنى من المواصفات',
  cameraMinSpecificationsMessageText: 'يجب أن تدعم الكاميرا دقة 320×240 على الأقل و15 إطارًا في الثانية.',
  cameraNotFoundHeadingText: 'لا يمكن الوصول إلى الكاميرا.',
  cameraNotFoundMessageText:
    'تأكد من توصيل كاميرا وعدم استخدامها من تطبيق آخر. اسمح بالوصول إلى الكاميرا من الإعدادات، وأغلق جميع نوافذ المتصفح ثم أعد المحاولة.',
  cancelLivenessCheckText: 'إلغاء التحقق بالفيديو',
  goodFitCaptionText: 'وضع مناسب',
  goodFitAltText: 'رسم لوجه يملأ الشكل البيضاوي تمامًا.',
  hintCenterFaceText: 'ضع وجهك في المنتصف',
  hintCenterFaceInstructionText:
    'قبل البدء، ضع الكاميرا في أعلى منتصف الشاشة وضع وجهك في المنتصف. سيظهر شكل بيضاوي: اقترب حتى يملأه وجهك، ثم اثبت حتى ينتهي التحقق.',
  hintFaceOffCenterText: 'وجهك ليس داخل الشكل البيضاوي. ضع وجهك في منتصف الكاميرا.',
  hintMoveFaceFrontOfCameraText: 'ضع وجهك أمام الكاميرا',
  hintTooManyFacesText: 'يجب أن يكون وجه واحد فقط أمام الكاميرا',
  hintFaceDetectedText: 'تم اكتشاف الوجه',
  hintCanNotIdentifyText: 'ضع وجهك أمام الكاميرا',
  hintTooCloseText: 'ابتعد قليلًا',
  hintTooFarText: 'اقترب',
  hintConnectingText: 'جارٍ الاتصال…',
  hintVerifyingText: 'جارٍ التحقق…',
  hintCheckCompleteText: 'اكتمل التحقق',
  hintIlluminationTooBrightText: 'انتقل إلى مكان أقل إضاءة',
  hintIlluminationTooDarkText: 'انتقل إلى مكان أكثر إضاءة',
  hintIlluminationNormalText: 'الإضاءة مناسبة',
  hintHoldFaceForFreshnessText: 'اثبت دون حركة',
  hintMatchIndicatorText: 'اكتمل 50٪. واصل الاقتراب.',
  photosensitivityWarningHeadingText: 'تحذير من الحساسية للضوء',
  photosensitivityWarningBodyText: 'يعرض هذا التحقق ألوانًا وامضة. توخَّ الحذر إذا كنت حساسًا للضوء.',
  photosensitivityWarningInfoText:
    'قد يصاب بعض الأشخاص بنوبات صرع عند التعرض لأضواء ملونة. توخَّ الحذر إذا كنت أنت أو أحد أفراد عائلتك مصابًا بالصرع.',
  photosensitivityWarningLabelText: 'مزيد من المعلومات عن الحساسية للضوء',
  retryCameraPermissionsText: 'إعادة المحاولة',
  recordingIndicatorText: 'تسجيل',
  startScreenBeginCheckText: 'بدء التحقق بالفيديو',
  tooFarCaptionText: 'بعيد جدًا',
  tooFarAltText: 'رسم لوجه داخل شكل بيضاوي مع فراغ بين الوجه وحدود الشكل.',
  waitingCameraPermissionText: 'في انتظار السماح بالوصول إلى الكاميرا.',
};

const CATALOGS: Record<string, LivenessStrings> = { en, fr, ar };

/** The component's strings for a page locale (English for any other). */
export function livenessDisplayText(locale: string): LivenessStrings {
  return CATALOGS[locale] ?? en;
}
