// Every section of `npm run bench`, in the order they run. A new benchmark adds one line here.
import { cepSection } from './cep-section.js';
import { checkpointSection } from './checkpoint-section.js';
import { chainSection } from './chain-section.js';
import { decodeSection } from './decode-section.js';
import { desktopSection } from './desktop-section.js';
import { editorSection } from './editor-section.js';
import { flinkSection } from './flink-section.js';
import { inferSection } from './infer-section.js';
import { joinSection } from './joins-section.js';
import { kafkaSection } from './kafka-section.js';
import { parallelSection } from './parallel-section.js';
import { processSection } from './process-section.js';
import { redisSection } from './redis-section.js';
import type { BenchSection } from './section.js';
import { windowSection } from './windows-section.js';

export const SECTIONS: readonly BenchSection[] = [chainSection, windowSection, cepSection, processSection, joinSection, checkpointSection, inferSection, editorSection, desktopSection, kafkaSection, redisSection, decodeSection, parallelSection, flinkSection];
