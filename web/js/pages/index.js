export {invitation, rsvp, signIn, signUp, unsubscribe, verify} from './account.js';
export {profile, user, users} from './people.js';
export {associations, newAssociation} from './associations.js';
export {association} from './association.js';
