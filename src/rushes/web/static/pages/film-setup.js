// A project's new-film form and its scenes page: the film's setup (format, look, cast) edited in place.
import { startFilmSetup } from '../film-setup.js';

startFilmSetup();
