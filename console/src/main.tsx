import { render } from 'preact';
import { App } from './app.js';
import { takeSessionFromAddress } from './session.js';
import './styles.css';

takeSessionFromAddress();
render(<App />, document.getElementById('app')!);
