import type { Catalog } from './en';

/** Catalogue français. */
export const fr: Catalog = {
  'app.title': 'Vérification d’identité',
  'app.testBanner': 'Mode test : aucune vérification réelle n’est effectuée. Choisissez le résultat ci-dessous.',
  'app.stepOf': 'Étape {current} sur {total}',
  'common.loading': 'Chargement…',
  'common.continue': 'Continuer',
  'common.tryAgain': 'Réessayer',
  'common.back': 'Retour',

  'welcome.title': 'Vérifiez votre identité',
  'welcome.intro': 'Cela prend environ deux minutes. Il vous faut :',
  'welcome.needDocument': 'Votre pièce d’identité',
  'welcome.needCamera': 'Un appareil avec une caméra',
  'welcome.needLight': 'Un endroit bien éclairé',
  'welcome.noCamera':
    'Aucune caméra n’a été trouvée sur cet appareil. Continuez sur votre téléphone, ou commencez ici et importez des photos.',
  'welcome.start': 'Commencer',
  'welcome.otherDevice': 'Continuer sur un autre appareil',

  'consent.title': 'Votre consentement',
  'consent.body':
    'Pour vérifier votre identité, nous prenons des photos de votre pièce d’identité et de votre visage, nous les comparons et nous vérifions que vous êtes bien présent. Le résultat est communiqué à l’entreprise qui vous a envoyé ici. Les photos sont supprimées à la fin de la durée de conservation.',
  'consent.version': 'Version du texte de consentement : {version}',
  'consent.checkbox':
    'J’accepte le traitement des images de ma pièce d’identité et de mon visage pour vérifier mon identité.',
  'consent.accept': 'Accepter et continuer',
  'consent.decline': 'Je refuse',
  'consent.mustCheck': 'Cochez la case pour accepter, ou choisissez « Je refuse ».',
  'consentDeclined.title': 'Vérification arrêtée',
  'consentDeclined.body':
    'Vous n’avez pas donné votre consentement : nous ne pouvons donc pas vérifier votre identité. Vous pouvez fermer cette page.',

  'document.chooseTitle': 'Choisissez votre document',
  'document.chooseLegend': 'Type de document',
  'document.type.passport': 'Passeport',
  'document.type.id_card': 'Carte d’identité',
  'document.type.driving_licence': 'Permis de conduire',
  'document.type.residence_permit': 'Titre de séjour',
  'document.frontTitle': 'Recto de votre document : {documentType}',
  'document.backTitle': 'Verso de votre document : {documentType}',
  'document.passportTitle': 'Page photo de votre passeport',
  'document.hint': 'Placez tout le document dans le cadre, à plat, bien éclairé et sans reflet.',

  'capture.take': 'Prendre la photo',
  'capture.upload': 'Importer une photo à la place',
  'capture.reviewTitle': 'Vérifiez votre photo',
  'capture.reviewHint': 'Assurez-vous que tout est net, lisible et que rien n’est coupé.',
  'capture.use': 'Utiliser cette photo',
  'capture.useAnyway': 'L’utiliser quand même',
  'capture.retake': 'Reprendre',
  'capture.uploading': 'Envoi de votre photo…',
  'capture.previewAlt': 'La photo que vous avez prise',
  'capture.missing': 'Des photos manquent. Veuillez les reprendre.',

  'quality.tooDark': 'La photo est trop sombre. Placez-vous dans un endroit plus lumineux.',
  'quality.blurry': 'La photo semble floue. Ne bougez pas et laissez la caméra faire la mise au point.',
  'quality.tooSmall':
    'La photo est trop petite ({width} × {height} pixels). Rapprochez-vous ou utilisez une meilleure caméra.',
  'quality.noFace': 'Nous ne trouvons pas de visage sur la photo. Regardez bien la caméra.',

  'uploadError.unsupported_media_type': 'Ce type de fichier n’est pas accepté. Utilisez une photo JPEG, PNG ou WebP.',
  'uploadError.file_too_large': 'La photo est trop lourde. Utilisez une photo de moins de {maxMb} Mo.',
  'uploadError.too_many_pixels': 'La photo a trop de pixels. Utilisez une photo plus petite.',
  'uploadError.upload_expired': 'L’envoi a pris trop de temps. Veuillez réessayer.',
  'uploadError.upload_missing': 'La photo n’est pas arrivée. Veuillez réessayer.',
  'uploadError.image_unreadable': 'La photo est illisible. Reprenez-la.',
  'uploadError.generic': 'La photo n’a pas pu être envoyée. Veuillez réessayer.',

  'selfie.title': 'Prenez un selfie',
  'selfie.hint': 'Regardez la caméra, le visage dans l’ovale. La photo est prise automatiquement.',
  'selfie.status.searching': 'Recherche de votre visage…',
  'selfie.status.hold': 'Ne bougez plus…',
  'selfie.status.closer': 'Rapprochez-vous un peu.',
  'selfie.status.oneFace': 'Une seule personne doit apparaître sur la photo.',
  'selfie.status.lookStraight': 'Regardez droit vers la caméra.',

  'liveness.title': 'Contrôle de présence',
  'liveness.intro':
    'Suivez chaque consigne dès qu’elle apparaît, en tournant la tête sans à-coups. Un court enregistrement en basse résolution des mouvements et une photo par position sont pris automatiquement.',
  'liveness.progress': 'Mouvement {current} sur {total}',
  'liveness.prompt.left': 'Tournez lentement la tête vers votre gauche',
  'liveness.prompt.right': 'Tournez lentement la tête vers votre droite',
  'liveness.prompt.centre': 'Regardez droit vers la caméra',
  'liveness.done': 'Mouvement enregistré.',
  'liveness.noFace': 'Nous ne voyons pas votre visage. Gardez-le dans l’ovale.',
  'liveness.preparing': 'Préparation du contrôle…',
  'liveness.detectorFailed':
    'Le contrôle automatique ne fonctionne pas sur cet appareil. Continuez sur un autre appareil.',
  'liveness.sending': 'Envoi de vos photos…',
  'liveness.tooLong':
    'Les mouvements ont pris trop de temps à enregistrer. Réessayez en suivant chaque consigne dès qu’elle apparaît.',

  'faceLiveness.title': 'Vérification vidéo',
  'faceLiveness.intro':
    'Regardez la caméra et suivez les instructions : placez votre visage dans l’ovale, puis ne bougez plus. Cela prend quelques secondes.',
  'faceLiveness.preparing': 'Préparation de la vérification vidéo…',
  'faceLiveness.complete': 'Vérification vidéo enregistrée.',
  'faceLiveness.startAgain': 'Recommencer la vérification vidéo',
  'faceLiveness.cancelled.title': 'Vérification vidéo interrompue',
  'faceLiveness.cancelled.body':
    'Vous avez interrompu la vérification vidéo. Elle est nécessaire pour terminer votre vérification.',
  'faceLiveness.failure.camera.title': 'Votre caméra ne peut pas être utilisée',
  'faceLiveness.failure.camera.body':
    'Autorisez cette page à utiliser la caméra, fermez les autres applications qui l’utilisent, puis réessayez. La caméra doit filmer au moins 320×240 pixels à 15 images par seconde.',
  'faceLiveness.failure.timeout.title': 'Votre visage n’a pas rempli l’ovale à temps',
  'faceLiveness.failure.timeout.body':
    'Rapprochez-vous jusqu’à ce que votre visage remplisse l’ovale, puis ne bougez plus.',
  'faceLiveness.failure.face.title': 'Restez immobile, seul devant la caméra',
  'faceLiveness.failure.face.body':
    'Vérifiez que personne d’autre n’est devant la caméra et ne vous rapprochez pas pendant la connexion.',
  'faceLiveness.failure.landscape.title': 'Tenez votre téléphone à la verticale',
  'faceLiveness.failure.landscape.body':
    'La vérification vidéo ne fonctionne qu’en mode portrait. Redressez votre téléphone et réessayez.',
  'faceLiveness.failure.connection.title': 'La vérification vidéo n’a pas pu se connecter',
  'faceLiveness.failure.connection.body': 'Vérifiez votre connexion Internet et réessayez.',
  'faceLiveness.failure.server.title': 'La vérification vidéo n’a pas pu aboutir',
  'faceLiveness.failure.server.body': 'Un problème est survenu de notre côté. Veuillez réessayer.',
  'faceLiveness.failure.runtime.title': 'La vérification vidéo s’est arrêtée',
  'faceLiveness.failure.runtime.body':
    'Un problème est survenu dans votre navigateur. Réessayez ou continuez sur un autre appareil.',

  'processing.title': 'Vérification en cours',
  'processing.body': 'Cela prend généralement moins d’une minute. Gardez cette page ouverte.',
  'processing.progressLabel': 'Avancement de la vérification',
  'processing.status': 'Analyse de vos photos…',

  'result.approved.title': 'Votre identité est vérifiée',
  'result.approved.body': 'Merci. Votre identité a été confirmée.',
  'result.review.title': 'Votre vérification est en cours d’examen',
  'result.review.body':
    'Une personne va examiner votre dossier. L’entreprise qui vous a envoyé ici vous informera du résultat.',
  'result.declinedRetry.title': 'Nous n’avons pas encore pu vous vérifier',
  'result.declinedRetry.body': 'Corrigez les points suivants, puis réessayez :',
  'result.declinedFinal.title': 'Nous n’avons pas pu vérifier votre identité',
  'result.declinedFinal.body':
    'Cette vérification ne peut pas être recommencée. Contactez l’entreprise qui vous a envoyé ici si vous pensez qu’il s’agit d’une erreur.',
  'result.declinedClosed.body':
    'Corrigez les points suivants. L’entreprise qui vous a envoyé ici peut vous envoyer un nouveau lien pour réessayer.',
  'result.reasonsTitle': 'Ce qui n’a pas fonctionné',
  'result.attemptsLeft.one': 'Il vous reste {count} essai.',
  'result.attemptsLeft.other': 'Il vous reste {count} essais.',
  'result.retry': 'Réessayer',
  'result.continue': 'Continuer',
  'result.redirecting': 'Retour au site dans quelques secondes…',

  'reason.DOCUMENT_UNREADABLE':
    'Votre document n’a pas pu être lu. Photographiez-le à plat, bien éclairé, avec ses quatre coins visibles.',
  'reason.MRZ_CHECK_DIGIT_FAILED':
    'Les lignes de code en bas du document n’ont pas pu être lues correctement. Vérifiez qu’elles sont nettes et sans reflet.',
  'reason.DOCUMENT_TYPE_NOT_ACCEPTED': 'Ce type de document n’est pas accepté. Utilisez l’un des documents proposés.',
  'reason.COUNTRY_NOT_ACCEPTED': 'Les documents de ce pays ne sont pas acceptés ici. Utilisez un autre document.',
  'reason.EXPIRATION_DATE': 'Votre document est expiré. Utilisez un document valide.',
  'reason.NO_FACE_ON_DOCUMENT':
    'Nous ne trouvons pas la photo sur votre document. Photographiez la page qui porte votre photo.',
  'reason.NO_FACE_IN_SELFIE':
    'Nous ne trouvons pas votre visage sur le selfie. Regardez la caméra, dans un endroit bien éclairé.',
  'reason.MULTIPLE_FACES_IN_SELFIE':
    'Plusieurs visages apparaissent sur le selfie. Assurez-vous d’être seul sur la photo.',
  'reason.BAD_FACE_MATCHING':
    'Votre selfie ne correspond pas à la photo de votre document. Prenez le selfie vous-même, face à la caméra, sans lunettes ni chapeau.',
  'reason.FACE_MATCH_INCONCLUSIVE': 'Nous n’avons pas pu comparer clairement votre selfie à votre document.',
  'reason.LIVENESS_FAILED':
    'Les mouvements de tête ne correspondaient pas aux consignes. Recommencez vous-même, en direct devant la caméra : suivez chaque consigne dès qu’elle apparaît et tournez nettement la tête sur le côté, sans à-coups, le visage dans l’ovale. Les photos, vidéos et écrans ne sont pas acceptés.',
  'reason.LIVENESS_INCONCLUSIVE':
    'Nous n’avons pas bien vu votre visage pendant les mouvements. Gardez-le dans l’ovale, bien éclairé.',
  'reason.UNDERAGE': 'Vous n’avez pas l’âge minimum requis pour ce service.',
  'reason.CONSENT_DECLINED': 'Vous n’avez pas donné votre consentement.',
  'reason.ATTEMPTS_EXHAUSTED': 'Vous avez utilisé tous vos essais.',
  'reason.SESSION_EXPIRED': 'Le lien de vérification a expiré avant la fin.',
  'reason.CHECK_ERROR': 'Un problème technique est survenu pendant l’analyse de vos photos.',
  'reason.unknown': 'Un contrôle n’a pas abouti ({code}).',

  'error.expired.title': 'Ce lien a expiré',
  'error.expired.body': 'Demandez un nouveau lien de vérification à l’entreprise qui vous a envoyé ici.',
  'error.invalid.title': 'Ce lien n’est pas valide',
  'error.invalid.body': 'Vérifiez que vous avez ouvert le lien complet reçu, ou demandez-en un nouveau.',
  'error.finished.title': 'Cette vérification est déjà terminée',
  'error.finished.body': 'Il n’y a plus rien à faire ici. Vous pouvez fermer cette page.',
  'error.network.title': 'Problème de connexion',
  'error.network.body': 'Nous n’arrivons pas à joindre le serveur. Vérifiez votre connexion et réessayez.',
  'error.generic.title': 'Une erreur est survenue',
  'error.generic.body': 'Veuillez réessayer dans un instant.',

  'camera.starting': 'Démarrage de la caméra…',
  'camera.previewLabel': 'Aperçu de la caméra',
  'camera.denied.title': 'L’accès à la caméra est bloqué',
  'camera.denied.body':
    'Autorisez ce site à utiliser votre caméra dans les réglages du navigateur, puis réessayez. Vous pouvez aussi continuer sur un autre appareil.',
  'camera.notFound.title': 'Aucune caméra trouvée',
  'camera.notFound.body':
    'Nous ne trouvons pas de caméra sur cet appareil. Continuez sur un téléphone, ou importez des photos.',
  'camera.busy.title': 'Votre caméra est déjà utilisée',
  'camera.busy.body': 'Une autre application ou un autre onglet utilise la caméra. Fermez-le, puis réessayez.',
  'camera.insecure.title': 'La caméra n’est pas disponible sur cette connexion',
  'camera.insecure.body':
    'La caméra ne fonctionne que sur une page sécurisée (https). Rouvrez le lien reçu, ou continuez sur un autre appareil.',
  'camera.unsupported.title': 'Ce navigateur ne peut pas utiliser la caméra',
  'camera.unsupported.body': 'Mettez à jour votre navigateur ou continuez sur un autre appareil.',
  'camera.uploadInstead': 'Importer des photos à la place',

  'handoff.title': 'Continuez sur votre téléphone',
  'handoff.body':
    'Scannez ce QR code avec l’appareil photo de votre téléphone pour y ouvrir cette vérification. Gardez cette page ouverte : elle se mettra à jour à la fin.',
  'handoff.qrAlt': 'QR code contenant le lien de cette vérification',
  'handoff.waiting': 'En attente de la fin sur l’autre appareil…',
  'handoff.inProgress': 'Vos photos sont en cours d’analyse…',
  'handoff.back': 'Utiliser cet appareil',

  'test.title': 'Choisissez le résultat du test',
  'test.body': 'Ceci est une vérification de test. Aucune photo n’est prise : choisissez le résultat à simuler.',
  'test.legend': 'Résultat',
  'test.approve': 'Approuver',
  'test.declineRetry': 'Refuser (nouvel essai possible)',
  'test.declineFinal': 'Refuser (définitif)',
  'test.review': 'Envoyer en examen',
};
