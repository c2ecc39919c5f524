// Imports a package the project has not installed: tsmpirun must say what to install.
import pad from "left-pad-not-installed";
import { init } from "@tsmpi/runtime";

await init();
console.log(pad);
