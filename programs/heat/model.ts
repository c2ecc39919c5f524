/**
 * The constants of the heat equation du/dt = a * laplacian(u) as the spec (issue 4) fixes them:
 * dx = dy = 0.01, a = 0.5, dt = dx^2 dy^2 / (2 a (dx^2 + dy^2)), the largest stable explicit step.
 * Every update (stencil.ts, serial.ts) reads them from here, so all variants round alike.
 */
export const DX = 0.01;
export const DY = 0.01;
export const A = 0.5;
/** dx^2, dy^2 as products: Julia's `dx^2` on a Float64 literal is `dx * dx`. */
export const DX2 = DX * DX;
export const DY2 = DY * DY;
export const DT = (DX2 * DY2) / (2 * A * (DX2 + DY2));
