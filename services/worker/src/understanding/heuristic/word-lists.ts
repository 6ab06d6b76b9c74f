/** The English and Spanish vocabularies the extractors compare folded words against. */

/** Words that mark a message as Spanish (folded: no accents). */
export const ES_MARKERS = new Set([
  'hola', 'buenos', 'buenas', 'dias', 'tardes', 'noches', 'necesito', 'quiero', 'presupuesto', 'manana', 'gracias',
  'cita', 'por', 'favor', 'para', 'tengo', 'mi', 'llamo', 'soy', 'nombre', 'ayuda', 'con', 'el', 'la', 'los', 'las',
  'que', 'cuanto', 'cuando', 'como', 'donde', 'si', 'una', 'es', 'esta', 'estoy', 'de', 'del', 'y', 'pero', 'semana',
  'lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'domingo', 'tarde', 'noche', 'primera', 'primero',
  'segunda', 'segundo', 'tercera', 'tercero', 'ninguna', 'ninguno', 'vale', 'perfecto', 'claro', 'redes', 'sociales',
  'pagina', 'publicidad', 'euros', 'dolares', 'baja', 'alta', 'puedo', 'podemos', 'quisiera', 'gustaria', 'busco',
  'negocio', 'empresa', 'correo', 'hoy', 'proximo', 'proxima', 'opcion', 'seria', 'bien', 'tambien', 'tienen',
  'precio', 'cuesta', 'le', 'lo', 'me', 'interesa', 'ahora', 'aqui', 'listo', 'genial', 'dale', 'mejor', 'hora',
  'horas', 'sera', 'nada', 'cancelar', 'anular', 'entre', 'mas', 'menos', 'algo', 'sobre', 'al',
]);
/** Words that mark a message as English. */
export const EN_MARKERS = new Set([
  'hi', 'hello', 'hey', 'i', "i'm", 'im', 'need', 'want', 'my', 'name', 'is', 'the', 'and', 'budget', 'tomorrow',
  'morning', 'afternoon', 'evening', 'please', 'thanks', 'thank', 'you', 'help', 'with', 'for', 'to', 'of', 'what',
  'how', 'when', 'can', 'would', 'like', 'appointment', 'yes', 'works', 'one', 'next', 'monday', 'tuesday',
  'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'option', 'first', 'second', 'third', 'none', 'this',
  'that', 'am', 'are', 'looking', 'interested', 'in', 'on', 'at', 'today', 'week', 'good', 'great', 'perfect', 'sure',
  'yeah', 'dollars', 'price', 'cost', 'do', 'does', 'it', 'we', 'our', 'your', 'have', 'be', 'about', 'work',
  'business', 'company', 'cancel', 'neither', 'sounds', 'book', 'call', 'free', 'available', 'time', 'or', 'just',
  "don't", 'dont', 'text', 'again', 'stop', 'messaging', 'remove', 'list', 'from', 'sorry', 'meant', 'actually', 'wait',
  'see', 'then', 'after', 'before', 'between', 'around', 'make', 'instead', 'years', 'people', 'team', 'we\'ve', "we're",
  'month', 'maybe', 'bye', 'cheers', 'awesome', 'any', 'not', 'sure', 'works', 'better', 'later', 'soon', 'late', 'early',
]);

/** Words that end a name after "I am" / "soy": they describe the person rather than name them. */
export const NAME_STOP = new Set([
  // English
  'a', 'an', 'the', 'and', 'or', 'but', 'i', 'i\'m', 'im', 'me', 'my', 'not', 'so', 'just', 'very', 'really', 'also', 'still',
  'interested', 'looking', 'here', 'good', 'fine', 'ok', 'okay', 'ready', 'available', 'free', 'busy', 'new', 'trying',
  'hoping', 'wondering', 'calling', 'writing', 'texting', 'messaging', 'reaching', 'sorry', 'happy', 'glad', 'sure',
  'back', 'going', 'thinking', 'planning', 'currently', 'from', 'in', 'at', 'on', 'with', 'your', 'about', 'after',
  'tomorrow', 'today', 'tonight', 'wanting', 'needing', 'great', 'the', 'owner', 'manager', 'ceo', 'founder', 'a',
  'to', 'for', 'is', 'it', 'that', 'this', 'who', 'what', 'how', 'when', 'why', 'yes', 'no', 'not', 'unsure', 'confused',
  'hi', 'hello', 'hey', 'thanks', 'thank', 'please', 'able', 'afraid', 'asking', 'checking', 'following', 'interesting',
  // Spanish
  'de', 'del', 'el', 'la', 'los', 'las', 'un', 'una', 'y', 'o', 'pero', 'muy', 'interesado', 'interesada', 'nuevo',
  'nueva', 'cliente', 'duena', 'dueno', 'gerente', 'yo', 'mi', 'su', 'tu', 'buscando', 'hola', 'gracias', 'manana',
  'hoy', 'aqui', 'el', 'que', 'quien', 'disponible', 'libre', 'bien', 'super', 'muy', 'fundador', 'fundadora',
  'director', 'directora', 'propietario', 'propietaria', 'emprendedor', 'emprendedora', 'nuevo', 'con', 'en',
  // weekdays / months
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'lunes', 'martes', 'miercoles',
  'jueves', 'viernes', 'sabado', 'domingo', 'january', 'february', 'march', 'april', 'june', 'july', 'august',
  'september', 'october', 'november', 'december', 'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio',
  'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre',
  // services
  'marketing', 'seo', 'social', 'media', 'web', 'website', 'ads', 'advertising', 'branding', 'consulting', 'coaching',
  'content', 'email', 'design', 'redes', 'publicidad', 'consultoria', 'diseno', 'pagina',
]);

/** Words that end a free-text goal ("help with my bakery and …"). */
export const GOAL_STOP_WORDS = new Set(['and', 'y', 'but', 'pero', 'because', 'porque', 'so', 'budget', 'presupuesto', 'also', 'tambien']);
/** Words that, alone, make a goal about booking itself ("help with a call"), not a goal. */
export const BOOKING_WORDS = new Set([
  'book', 'booking', 'a', 'an', 'the', 'call', 'appointment', 'meeting', 'session', 'cita', 'una', 'un', 'agendar',
  'reservar', 'llamada', 'reunion', 'sesion', 'your', 'services', 'service', 'servicios', 'sus', 'tus', 'you', 'this',
  'it', 'that', 'more', 'info', 'information', 'informacion', 'mas', 'something', 'algo',
]);

/** A confirmation needs one core word; every other word must be core or filler. */
export const CONFIRM_CORE = new Set([
  'yes', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'k', 'perfect', 'great', 'good', 'works', 'confirm', 'confirmed',
  'correct', 'right', 'fine', 'absolutely', 'definitely', 'deal', 'booked', 'si', 'claro', 'vale', 'perfecto',
  'perfecta', 'acuerdo', 'listo', 'genial', 'bien', 'dale', 'sirve', 'confirmo', 'confirmado', 'excelente', 'exacto',
  'correcto', 'va', 'okey', 'oki', 'sounds', 'agreed',
]);
export const CONFIRM_FILLER = new Set([
  'that', 'this', 'it', 'one', 'for', 'me', 'please', 'thanks', 'thank', 'you', 'so', 'much', 'very', 'sounds', 'is',
  'will', 'work', 'do', 'go', 'ahead', 'let\'s', 'lets', 'by', 'all', 'de', 'esta', 'esa', 'me', 'por', 'favor',
  'gracias', 'muchas', 'muy', 'eso', 'esto', 'asi', 'el', 'la', 'lo', 'a', 'an', 'the', 'with', 'perfectly', 'then',
  'entonces', 'pues', 'nos', 'vemos', 'super', 'totally', 'that\'s', 'thats', 'its', 'it\'s',
]);
/** A decline needs one core word; every other word must be core or filler. */
export const DECLINE_CORE = new Set([
  'no', 'nope', 'nah', 'none', 'neither', 'ninguna', 'ninguno', 'ningun', "don't", 'dont', "doesn't", 'doesnt',
  'not', "can't", 'cant', 'nada', 'tampoco', 'nothing',
]);
export const DECLINE_FILLER = new Set([
  'of', 'them', 'those', 'these', 'thanks', 'thank', 'you', 'works', 'work', 'for', 'me', 'i', 'that', 'it', 'one',
  'options', 'slots', 'times', 'de', 'esas', 'esos', 'estas', 'estos', 'me', 'sirve', 'sirven', 'gracias', 'puedo',
  'ellas', 'ellos', 'opciones', 'horarios', 'really', 'sorry', 'lo', 'siento', 'good', 'fits', 'suits', 'la', 'las',
  'los', 'el', 'interested', 'interesa', 'make', 'any', 'them', 'please', 'but', 'pero', 'either', 'bien', 'viene',
  'queda', 'quedan', 'funciona', 'funcionan', "i'm", 'im', 'am', 'are', 'is', 'will', 'we', 'can', 'do', 'does',
]);

/** Words that carry nothing the Understanding could hold; everything else must be accounted for. */
export const FILLER = new Set([
  // English
  'i', "i'm", 'im', 'am', 'is', 'are', 'was', 'be', 'a', 'an', 'the', 'and', 'or', 'my', 'me', 'mine', 'for', 'with',
  'to', 'of', 'on', 'at', 'in', 'by', 'it', 'its', "it's", 'this', 'that', 'would', 'like', 'need', 'want', 'wanna',
  'looking', 'please', 'pls', 'plz', 'thanks', 'thank', 'you', 'thx', 'about', 'around', 'approximately', 'approx',
  'roughly', 'maybe', 'some', 'help', 'also', 'so', 'just', 'love', 'get', 'book', 'booking', 'appointment', 'meeting',
  'call', 'schedule', 'can', 'could', 'we', 'us', 'do', 'available', 'free', 'works', 'work', 'time', 'budget', 'ok',
  'okay', 'name', 'email', 'mail', 'e-mail', 'interested', 'have', 'has', 'got', 'our', "i'd", 'id', 'will', "i'll",
  'up', 'max', 'maximum', 'least', 'min', 'minimum', 'usd', 'dollars', 'here', 'there', 'hi', 'hello', 'hey', 'great',
  'good', 'perfect', 'your', 'services', 'service', 'some', 'should', 'session', 'slot', 'any', 'best', 'if',
  'possible', 'would', 'prefer', 'preferably', 'ideally', 'better', 'but', 'then', 'too', 'as', 'well', 'much',
  'is', 'be', 'set', 'session', 'reach', 'contact', 'via', 'address', 'spend', 'willing', 'invest', 'sounds',
  'meet', "let's", 'lets', 'pay', 'new', 'nueva', 'nuevo', 'pagar', 'talk', 'chat', 'speak', 'start', 'starting', 'ready', 'hear', 'from', 'back',
  // Spanish
  'yo', 'es', 'soy', 'mi', 'mis', 'me', 'de', 'del', 'la', 'el', 'los', 'las', 'un', 'una', 'unos', 'unas', 'y', 'o',
  'con', 'para', 'por', 'en', 'a', 'al', 'que', 'necesito', 'quiero', 'quisiera', 'busco', 'ayuda', 'tengo', 'gustaria',
  'favor', 'gracias', 'hola', 'estoy', 'disponible', 'libre', 'puedo', 'podria', 'cita', 'agendar', 'reservar',
  'presupuesto', 'aproximadamente', 'alrededor', 'mas', 'menos', 'sobre', 'hasta', 'correo', 'email', 'nombre',
  'llamo', 'servicio', 'servicios', 'interesa', 'interesado', 'interesada', 'seria', 'bien', 'puede', 'ser', 'mejor',
  'su', 'sus', 'tu', 'tus', 'le', 'lo', 'nos', 'si', 'tambien', 'pero', 'entonces', 'unos', 'tipo', 'como', 'maximo',
  'minimo', 'invertir', 'gastar', 'euros', 'dolares', 'llamada', 'reunion', 'sesion', 'hora', 'horario', 'preferible',
  'preferiblemente', 'prefiero', 'ideal', 'idealmente', 'mio', 'contacto', 'escribir', 'escribirme', 'es',
  'hablar', 'vernos', 'reunirnos', 'podemos', 'empezar', 'comenzar',
  // corrections ("oh wait", "sorry, I meant", "en realidad son"): what they correct is read, these carry nothing
  'oh', 'wait', 'sorry', 'actually', 'meant', 'mean', 'oops', 'instead', 'rather', 'make', 'change', 'realidad', 'perdon',
  'perdona', 'quise', 'decir', 'son', 'vale', 'mejor', 'cambio', 'better', 'works', 'prefer',
]);
