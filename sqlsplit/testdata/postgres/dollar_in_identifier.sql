-- exec
CREATE TABLE a$b$ (x$ int); INSERT INTO a$b$ VALUES (1); SELECT x$ FROM a$b$;
