"""The first text of the site's home and of the pages every State site must have, written once
by editorial_setup; editors then change them in Wagtail (never overwritten afterwards).

Bracketed passages (« [à compléter : …] ») are what only the publishing administration
knows: its name, its publication director, its host, its data protection officer."""

HOME_TITLE = "Documentation du portail"
HOME_INTRO = (
    "<p>Les textes qui encadrent les demandes adressées aux centres de services partagés : "
    "les conventions de service et leurs annexes, les fiches de procédure qui expliquent "
    "chaque formulaire, les fiches de poste et le catalogue des formulaires.</p>"
)
# What Wagtail's installation names the site's first page.
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"

ACCESSIBILITY_SLUG = "accessibilite"
LEGAL_NOTICE_SLUG = "mentions-legales"
PERSONAL_DATA_SLUG = "donnees-personnelles"

ACCESSIBILITY_BODY = """
<p>[À compléter : nom de l'administration éditrice] s'engage à rendre ses sites internet,
intranet, extranet et ses progiciels accessibles, conformément à l'article 47 de la loi
n° 2005-102 du 11 février 2005.</p>
<p>Cette déclaration d'accessibilité s'applique au Portail des centres de services partagés
([à compléter : adresse du portail]).</p>
<h2>État de conformité</h2>
<p>Le Portail des centres de services partagés est <b>non conforme</b> avec le référentiel
général d'amélioration de l'accessibilité (RGAA), version 4.1.2 : aucun audit de conformité
n'a encore été réalisé. Le RGAA réserve la mention « partiellement conforme » à un site dont
un audit en cours de validité constate qu'au moins 50 % des critères sont respectés ; elle
sera indiquée ici, avec le taux mesuré, après cet audit.</p>
<h2>Contrôles réalisés</h2>
<p>En attendant l'audit, chaque version du portail est contrôlée ainsi :</p>
<ul>
<li>vérifications automatiques par axe-core de chaque page des parcours (agent du service
prescripteur, ordonnateur, agent et responsable du centre, éditeur), dans Chromium ;
aucune anomalie grave ou critique n'est acceptée ;</li>
<li>seconde vérification automatique par pa11y (moteur HTML_CodeSniffer) ;</li>
<li>parcours complets au clavier seul : ordre de tabulation, focus visible, liens
d'évitement, aucune liste qui recharge la page à la sélection ;</li>
<li>affichage sur un écran de 375 pixels de large et agrandissement du texte.</li>
</ul>
<p>Ces contrôles automatiques ne couvrent qu'une partie des critères du RGAA ; ils ne
remplacent pas un audit.</p>
<h2>Contenus non accessibles</h2>
<h3>Non-conformités connues</h3>
<ul>
<li>Les documents PDF produits par le portail (bons de commande, récapitulatifs de demande)
ne sont pas balisés pour les technologies d'assistance. Leur contenu est aussi affiché sur
la page du dossier.</li>
</ul>
<h3>Dérogations pour charge disproportionnée</h3>
<p>Aucune.</p>
<h3>Contenus non soumis à l'obligation d'accessibilité</h3>
<p>L'espace d'administration des contenus (Wagtail), réservé aux éditeurs, relève de son
éditeur logiciel ; les pièces jointes déposées par les usagers (devis, factures) sont
publiées telles qu'elles ont été reçues.</p>
<h2>Établissement de cette déclaration d'accessibilité</h2>
<p>Cette déclaration a été établie le [à compléter : date]. Technologies utilisées pour la
réalisation du portail : HTML5, CSS, JavaScript, Système de design de l'État (DSFR).
Environnement des contrôles : Chromium, axe-core, pa11y (HTML_CodeSniffer), navigation au
clavier.</p>
<h2>Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le
responsable du portail pour être orienté vers une alternative accessible ou obtenir le
contenu sous une autre forme : [à compléter : adresse électronique ou formulaire de
contact].</p>
<h2>Voies de recours</h2>
<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à
une fonctionnalité du portail, que vous nous le signalez et que vous ne parvenez pas à
obtenir une réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou
une demande de saisine au Défenseur des droits. Plusieurs moyens sont à votre
disposition :</p>
<ul>
<li>écrire un message au Défenseur des droits (formulaire en ligne sur
<a href="https://formulaire.defenseurdesdroits.fr/">formulaire.defenseurdesdroits.fr</a>) ;</li>
<li>contacter le délégué du Défenseur des droits dans votre région
(<a href="https://www.defenseurdesdroits.fr/carte-des-delegues">liste des délégués</a>) ;</li>
<li>envoyer un courrier par la poste, gratuitement, sans timbre : Défenseur des droits,
Libre réponse 71120, 75342 Paris CEDEX 07.</li>
</ul>
"""

LEGAL_NOTICE_BODY = """
<h2>Éditeur</h2>
<p>[À compléter : nom de l'administration éditrice — ministère, direction ou centre de
services partagés]<br/>[À compléter : adresse postale]<br/>[À compléter : téléphone,
adresse électronique de contact]</p>
<h2>Directeur ou directrice de la publication</h2>
<p>[À compléter : nom et fonction]</p>
<h2>Hébergement</h2>
<p>[À compléter : nom de l'hébergeur]<br/>[À compléter : adresse postale et téléphone de
l'hébergeur]</p>
<h2>Conception</h2>
<p>Le portail utilise le Système de design de l'État (DSFR), les logiciels libres Django et
Wagtail, et ne dépose aucun cookie de mesure d'audience ni de service tiers.</p>
<h2>Propriété intellectuelle</h2>
<p>Les textes publiés sur ce portail (conventions, fiches de procédure, fiches de poste)
sont des documents administratifs ; sauf mention contraire, leur réutilisation est libre
dans les conditions de la licence ouverte Etalab 2.0, sous réserve de mentionner leur
source. La Marianne et le logo de la République française sont réservés à l'État.</p>
<h2>Accessibilité et données personnelles</h2>
<p>L'état de conformité du portail au RGAA et le traitement des données personnelles sont
décrits dans les pages « Accessibilité » et « Données personnelles », en pied de
page.</p>
"""

PERSONAL_DATA_BODY = """
<p>Le Portail des centres de services partagés traite des données personnelles pour
instruire les demandes que les services prescripteurs adressent à leur centre (achats,
fournisseurs, service fait, immobilisations). Cette page dit lesquelles, pourquoi, combien
de temps et qui les reçoit.</p>
<h2>Responsable du traitement</h2>
<p>[À compléter : administration éditrice, représentée par sa directrice ou son
directeur].</p>
<h2>Données traitées</h2>
<ul>
<li><b>Agents des services et des centres</b> : nom, prénom, identifiant, adresse
électronique professionnelle, service, rôle, délégation de signature et son plafond,
préférences de notification.</li>
<li><b>Fournisseurs et tiers</b> : raison sociale ou nom et prénom, SIRET, numéro de TVA,
adresse, coordonnées bancaires (IBAN, BIC) et, pour un particulier ou un agent, le numéro
de sécurité sociale (NIR) exigé pour le créer dans Chorus. L'IBAN et le NIR sont masqués
dans l'historique des demandes.</li>
<li><b>Contenu des demandes</b> : objet, montants, imputations budgétaires, messages
échangés entre le service et le centre, pièces jointes (devis, factures, procès-verbaux,
relevés d'identité bancaire), bons de commande signés.</li>
<li><b>Journaux</b> : l'historique de chaque dossier (qui a fait quoi, quand) et les
tentatives de connexion (identifiant, adresse IP, date), pour la sécurité du portail.</li>
</ul>
<p>Le portail dépose deux cookies techniques, nécessaires à son fonctionnement et exemptés
de consentement : la session de connexion et la protection des formulaires (CSRF). Aucun
cookie de mesure d'audience, aucun service tiers.</p>
<h2>Finalités et base légale</h2>
<p>Les données servent à instruire les demandes, à engager et payer les dépenses de l'État
dans Chorus et à en garder la trace. Ce traitement relève de la mission d'intérêt public
dont sont investis les services (article 6.1.e du règlement général sur la protection des
données) et des obligations légales de la comptabilité publique (article 6.1.c ; décret
n° 2012-1246 du 7 novembre 2012 relatif à la gestion budgétaire et comptable
publique).</p>
<h2>Durées de conservation</h2>
<p>[À valider par le délégué à la protection des données.]</p>
<ul>
<li>Dossiers, messages, pièces jointes et bons de commande : dix ans après la clôture de
l'exercice de la dépense, comme les pièces justificatives comptables ; ils sont ensuite
détruits ou versés aux archives.</li>
<li>Comptes des agents : le temps de leurs fonctions, puis un an.</li>
<li>Journaux de connexion : un an.</li>
</ul>
<h2>Destinataires</h2>
<p>Selon leurs droits sur chaque dossier : les agents et ordonnateurs du service
prescripteur, les agents et responsables du centre de services partagés, la cellule de
supervision des tiers, le comptable public (par Chorus) ; l'hébergeur du portail, comme
sous-traitant. [À confirmer selon l'hébergement : aucune donnée n'est transférée hors de
l'Union européenne.]</p>
<h2>Vos droits</h2>
<p>Vous pouvez accéder aux données qui vous concernent, les faire rectifier, demander la
limitation de leur traitement et, dans les cas prévus par le règlement, vous y opposer ou
demander leur effacement. Écrivez au délégué à la protection des données : [à compléter :
adresse électronique et postale du DPO].</p>
<p>Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous
pouvez adresser une réclamation à la CNIL
(<a href="https://www.cnil.fr/fr/plaintes">cnil.fr/fr/plaintes</a>).</p>
"""

# slug: (title, footer label, body), in the footer's order.
LEGAL_PAGES = {
    ACCESSIBILITY_SLUG: ("Déclaration d'accessibilité", "Accessibilité : non conforme",
                         ACCESSIBILITY_BODY),
    LEGAL_NOTICE_SLUG: ("Mentions légales", "", LEGAL_NOTICE_BODY),
    PERSONAL_DATA_SLUG: ("Données personnelles", "", PERSONAL_DATA_BODY),
}
