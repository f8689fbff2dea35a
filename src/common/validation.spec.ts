import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ArgumentMetadata, UnprocessableEntityException } from '@nestjs/common';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { createValidationPipe } from './validation.js';

/** A DTO as the features write them. */
class LoginFormDto {
  @MaxLength(254)
  @IsNotEmpty()
  @IsString()
  username!: string;

  @IsNotEmpty()
  @IsString()
  password!: string;
}

const pipe = createValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

describe('createValidationPipe', () => {
  it('turns a valid body into its DTO class', async () => {
    const form = await pipe.transform({ username: 'ada@example.com', password: 'violet-kettle-harbour' }, body(LoginFormDto));
    assert.ok(form instanceof LoginFormDto);
    assert.equal(form.username, 'ada@example.com');
  });

  it("validates every body, one with the DTO's prototype included", async () => {
    await assert.rejects(pipe.transform({ username: 'ada@example.com', role: 'admin' }, body(LoginFormDto)), UnprocessableEntityException);
    const lookalike = Object.assign(Object.create(LoginFormDto.prototype) as object, { username: 42, role: 'admin' });
    await assert.rejects(pipe.transform(lookalike, body(LoginFormDto)), UnprocessableEntityException);
  });

  it('screens bodies typed as plain objects too', async () => {
    const evil = JSON.parse('{"note":"a\\u0000b"}') as object;
    await assert.rejects(pipe.transform(evil, body(Object)), UnprocessableEntityException);
    await assert.rejects(pipe.transform([evil], body(Array)), UnprocessableEntityException);
  });
});
