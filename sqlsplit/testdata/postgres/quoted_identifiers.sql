-- exec
CREATE TABLE "a;b""c" ("x;" int);
INSERT INTO "a;b""c" VALUES (1);
SELECT "x;" FROM "a;b""c";
